import { pino, type Logger } from 'pino';

export type { Logger };

/*
 * Secrets and personal data never reach the logs, at any level (docs/delivery.md). Three layers:
 * redaction by key (a lead or a request logged whole still loses its emails, phones and tokens),
 * errors logged without what drivers attach to them (serializeError), and, as a last defence,
 * redaction by value of every line written (redactValues).
 */
const REDACT = [
  'email',
  '*.email',
  '*.*.email',
  'phone',
  '*.phone',
  '*.*.phone',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'botToken',
  '*.botToken',
  'signingSecret',
  '*.signingSecret',
  'appToken',
  '*.appToken',
  'intakeToken',
  '*.intakeToken',
  'reportsToken',
  '*.reportsToken',
];

/**
 * What drivers attach to an error about the statement that failed: its parameters (the values of
 * every lead of a batch), Postgres' `detail` ("Failing row contains (…)", "Key (email)=(…)"), the
 * PL/pgSQL context and the statement as run. None of it is ever logged.
 */
const WITHHELD = new Set([
  'params',
  'parameters',
  'args',
  'query',
  'detail',
  'where',
  'hint',
  'internalQuery',
  'internal_query',
  'position',
  'internalPosition',
  'internal_position',
]);
/** Of a Postgres error (postgres.js and PGlite name them differently) only these fields are kept. */
const DATABASE_FIELDS = new Set([
  'code',
  'severity',
  'routine',
  'schema',
  'table',
  'column',
  'constraint',
  'dataType',
  'schema_name',
  'table_name',
  'column_name',
  'constraint_name',
  'data_type_name',
]);
const MAX_DEPTH = 5;
const MAX_QUERY = 500;

export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  cause?: LoggedError;
  errors?: LoggedError[];
  [field: string]: unknown;
}

const isErrorLike = (v: unknown): v is Error =>
  typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string';
const isDatabaseError = (e: object): boolean =>
  typeof (e as { severity?: unknown }).severity === 'string' && typeof (e as { code?: unknown }).code === 'string';
const isQueryError = (e: object): e is { query: string; params: unknown } =>
  typeof (e as { query?: unknown }).query === 'string' && 'params' in e;

/** Postgres quotes a value it refuses after a colon (`invalid input syntax for type integer: "…"`); identifiers it quotes stay. */
const withoutQuotedValues = (message: string): string => message.replace(/: "(?:[^"]|"")*"/g, ': "[withheld]"');

/**
 * An error as it is logged: type, message, stack and causes, and the error's own fields, with
 * nothing of the above. A failed statement keeps its SQL text (parameterised, so without values)
 * and loses its parameters; a Postgres error keeps its SQLSTATE and the names of what it concerns.
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!isErrorLike(err)) return err;
  // Anything with a string message is taken for an error, a plain object or one without a prototype included.
  const constructorName = typeof err.constructor === 'function' ? err.constructor.name : '';
  const type =
    constructorName !== '' && constructorName !== 'Object'
      ? constructorName
      : typeof err.name === 'string'
        ? err.name
        : 'Error';
  const database = isDatabaseError(err);
  const message = isQueryError(err)
    ? `Failed query: ${err.query.length > MAX_QUERY ? `${err.query.slice(0, MAX_QUERY)}…` : err.query} (parameters withheld)`
    : database
      ? withoutQuotedValues(err.message)
      : err.message;
  // A stack's first lines repeat the original message: only its frames are kept.
  const out: LoggedError = {
    type,
    message,
    stack: (err.stack ?? '')
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .join('\n'),
  };
  for (const [key, value] of Object.entries(err)) {
    if (key === 'cause' || key === 'errors' || WITHHELD.has(key) || (database && !DATABASE_FIELDS.has(key))) continue;
    out[key] = isErrorLike(value) ? (depth < MAX_DEPTH ? serializeError(value, depth + 1) : value.message) : value;
  }
  if (depth < MAX_DEPTH && isErrorLike(err.cause)) out.cause = serializeError(err.cause, depth + 1) as LoggedError;
  const { errors } = err as { errors?: unknown };
  if (depth < MAX_DEPTH && Array.isArray(errors))
    out.errors = errors.map((e) => serializeError(e, depth + 1) as LoggedError);
  return out;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// International numbers (+46 70 555 12 34); a bare run of digits could be a time or an id.
const PHONE = /\+\d[\d ().-]{5,}\d/g;
const SLACK_TOKEN = /\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+/g;

/** Every email, international phone number, Slack token and configured secret in `line`, replaced. */
export function redactValues(line: string, secrets: readonly string[]): string {
  let out = line
    .replace(EMAIL, '[redacted email]')
    .replace(PHONE, '[redacted phone]')
    .replace(SLACK_TOKEN, '[redacted token]');
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('[redacted]');
  return out;
}

/** `secrets`: the configured tokens and signing secret, removed wherever they would appear. */
export function createLogger(
  level: string,
  destination?: NodeJS.WritableStream,
  secrets: readonly string[] = [],
): Logger {
  const options = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { app: 'baton' },
    serializers: { err: serializeError },
    hooks: { streamWrite: (line: string) => redactValues(line, secrets) },
  };
  return destination ? pino(options, destination) : pino(options);
}
