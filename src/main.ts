import { startBaton } from './baton.js';
import { configSecrets, ConfigError, loadConfigAndPolicy, loadDotEnv } from './config/index.js';
import { createLogger } from './log.js';
import { startSandboxBaton } from './sandbox/start.js';
import { SlackAuthError } from './slack/client.js';

/** Entry point: configuration problems are printed one per line and end the process with 1. */
async function main(): Promise<void> {
  loadDotEnv();
  const { config, policy } = loadConfigAndPolicy();
  const logger = createLogger(config.logLevel, undefined, configSecrets(config));
  const baton = await (config.sandbox ? startSandboxBaton : startBaton)({ config, policy, logger });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    baton.stop().then(
      () => {
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.on('SIGINT', () => {
    shutdown('SIGINT');
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof SlackAuthError) {
    const lines = err instanceof ConfigError ? err.lines : [err.message];
    for (const line of lines) process.stderr.write(`config error: ${line}\n`);
    process.stderr.write(
      `Baton did not start: ${lines.length} configuration problem${lines.length === 1 ? '' : 's'}. See README.md, "Configuration".\n`,
    );
  } else {
    process.stderr.write(`Baton did not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
