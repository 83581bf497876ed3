import { DomainError, type ErrorCode } from '../domain/errors.js';

/** Errors raised by the HTTP edge itself, before any domain code runs. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'not_configured' | 'method_not_allowed' | 'internal',
    message: string,
    readonly details?: unknown,
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
  body: { error: { code: string; message: string; details?: unknown } };
}

/** The one place an error becomes an HTTP answer; anything unknown is a 500 and is logged by the caller. */
export function toEnvelope(err: unknown): ErrorEnvelope & { known: boolean } {
  if (err instanceof HttpError) {
    return { known: true, status: err.status, body: { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } } };
  }
  if (err instanceof DomainError) {
    return { known: true, status: STATUS[err.code], body: { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } } };
  }
  return { known: false, status: 500, body: { error: { code: 'internal', message: 'Something went wrong on our side; it has been logged.' } } };
}
