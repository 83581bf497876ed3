import { pino, type Logger } from 'pino';

export type { Logger };

/*
 * Secrets and personal data never reach the logs (docs/delivery.md). Redaction is by key,
 * so a lead or a request logged whole still loses its emails, phones and tokens.
 */
const REDACT = [
  'email', '*.email', '*.*.email', 'phone', '*.phone', '*.*.phone',
  'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'botToken', '*.botToken', 'signingSecret', '*.signingSecret', 'appToken', '*.appToken', 'intakeToken', '*.intakeToken', 'reportsToken', '*.reportsToken',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'baton' } };
  return destination ? pino(options, destination) : pino(options);
}
