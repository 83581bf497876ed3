import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../log.js';

const LEVELS: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/*
 * At debug level Slack's libraries log whole payloads (requests, answers, ack bodies): cards and
 * modals with the lead's name, company and email. What a line carries from its first JSON object
 * on is withheld; what happened to the request is logged by our own code.
 */
const withoutPayload = (line: string): string => line.replace(/(\{|: \[)[\s\S]*$/, '[payload withheld]');

const text = (msg: unknown[]): string =>
  withoutPayload(
    msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' '),
  );

/** Slack's libraries log through our logger, so redaction and levels apply to them too. */
export function boltLogger(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'slack' });
  return {
    debug: (...msg: unknown[]) => {
      child.debug(text(msg));
    },
    info: (...msg: unknown[]) => {
      child.info(text(msg));
    },
    warn: (...msg: unknown[]) => {
      child.warn(text(msg));
    },
    error: (...msg: unknown[]) => {
      child.error(text(msg));
    },
    setLevel: () => undefined,
    getLevel: () => LEVELS[child.level] ?? LogLevel.INFO,
    setName: () => undefined,
  };
}
