import { databaseUnavailable } from '../db/errors.js';
import { DomainError, type ErrorCode } from '../domain/errors.js';

/** What a sender is told to wait before trying again while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

/** Errors raised by the HTTP edge itself, before any domain code runs. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'not_configured' | 'method_not_allowed' | 'internal',
    message: string,
    readonly details?: unknown,
    /** Headers the status calls for (`Allow` on a 405). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_found: 404,
  illegal_transition: 409,
  not_allowed: 403,
  stale_card: 409,
  already_decided: 409,
  no_eligible_rep: 409,
  conflict: 409,
};

export interface ErrorEnvelope {
  status: number;
  /** How the edge logs it: unknown failures as errors, an unreachable database as a warning. */
  log?: { level: 'error' | 'warn'; fields: Record<string, unknown> };
  body: { error: { code: string; message: string; details?: unknown } };
  headers?: Record<string, string>;
}

/** The one place an error becomes an HTTP answer; anything unknown is a 500 and logged whole. */
export function toEnvelope(err: unknown): ErrorEnvelope {
  if (err instanceof HttpError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } }, ...(err.headers ? { headers: err.headers } : {}) };
  }
  if (err instanceof DomainError) {
    return { status: STATUS[err.code], body: { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } } };
  }
  const down = databaseUnavailable(err);
  if (down !== undefined) {
    // Retrying is safe (intake and import are idempotent on the lead's keys). Only the code is
    // logged: the driver's message carries the statement and its values.
    return { log: { level: 'warn', fields: { database: down } }, status: 503, body: { error: { code: 'database_unavailable', message: `The database is unreachable right now; try again in ${RETRY_AFTER_SECONDS} seconds.` } }, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } };
  }
  return { log: { level: 'error', fields: { err } }, status: 500, body: { error: { code: 'internal', message: 'Something went wrong on our side; it has been logged.' } } };
}
