/*
 * Every interactive id Baton puts in Slack goes through this one encoder, and every id Slack
 * sends back through this one parser, which never throws: anything it does not recognise is
 * undefined, and the caller says so to the user.
 */

export const HANDOFF_ACTIONS = [
  'accept',
  'reject',
  'qualify',
  'opportunity',
  'won',
  'lost',
  'return',
  'ack_escalation',
  'reassign',
] as const;
export type HandoffActionKind = (typeof HANDOFF_ACTIONS)[number];

export type CardAction = { kind: HandoffActionKind; handoffId: string };

const PREFIX = 'baton:v1:';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeAction(a: CardAction): string {
  return `${PREFIX}${a.kind}:${a.handoffId}`;
}

export function parseAction(actionId: string): CardAction | undefined {
  if (!actionId.startsWith(PREFIX)) return undefined;
  const [kind, handoffId, ...rest] = actionId.slice(PREFIX.length).split(':');
  if (rest.length > 0 || kind === undefined || handoffId === undefined) return undefined;
  if (!(HANDOFF_ACTIONS as readonly string[]).includes(kind) || !UUID.test(handoffId)) return undefined;
  return { kind: kind as HandoffActionKind, handoffId };
}

/** Bolt routes block actions by this pattern; the parser then decides what the id means. */
export const ACTION_ID_PATTERN = /^baton:v1:/;

/*
 * "Share in channel" under a report: the action id is fixed (outside the card pattern above) and
 * the value is the command to run again, e.g. "/funnel month by rep".
 */
export const SHARE_REPORT_ACTION_ID = 'baton:share:v1';
export const REPORT_COMMANDS = ['/funnel', '/velocity', '/leadgoal', '/baton'] as const;
export type ShareReport = { command: (typeof REPORT_COMMANDS)[number]; text: string };

/** "Show chart" under a funnel or velocity report: the same value as Share in channel. */
export const SHOW_CHART_ACTION_ID = 'baton:chart:v1';

export function encodeShareReport(s: ShareReport): string {
  return `${s.command} ${s.text}`.trim();
}

export function parseShareReport(value: string): ShareReport | undefined {
  const [command, ...rest] = value.trim().split(/\s+/);
  if (!(REPORT_COMMANDS as readonly (string | undefined)[]).includes(command)) return undefined;
  return { command: command as ShareReport['command'], text: rest.join(' ') };
}
