import { databaseUnavailable } from '../db/errors.js';
import { DomainError, type ErrorCode, type Refusal } from '../domain/errors.js';

/** What a sender is told to wait before trying again while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

/** Failures of the transport or the edge's own set-up, which the domain never meets. */
export type HttpErrorCode =
  | 'unauthorized'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_configured'
  | 'method_not_allowed'
  | 'internal';

/** Errors raised by the HTTP edge itself, before any domain code runs. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | HttpErrorCode,
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
  not_found: 404,
  illegal_transition: 409,
  not_allowed: 403,
  stale_card: 409,
  already_decided: 409,
  no_eligible_rep: 409,
  conflict: 409,
};

/**
 * A refusal in plain words: an API client cannot resolve a Slack mention, so the people it names
 * go into `details` as user ids and the message says who by role.
 */
function refusalWords(r: Refusal): string {
  switch (r.about) {
    case 'not_a_rep':
      return "That user is not a rep in Baton's policy.";
    case 'away_for_someone_else':
      return 'Only the rep or their manager can change that.';
    case 'reassigned_away':
      return 'This lead was reassigned to another rep; it is theirs to decide now.';
    case 'not_the_holder':
      return "Only the lead's rep or their manager can decide this lead.";
    case 'not_the_manager':
      return `Only ${r.team}'s manager can ${r.action} this lead.`;
    case 'decided_before':
      return `This lead was already ${r.status}.`;
  }
}

function domainBody(err: DomainError): ErrorEnvelope['body'] {
  if (err.refusal) {
    const { code, ...facts } = err.refusal;
    return { error: { code, message: refusalWords(err.refusal), details: facts } };
  }
  return {
    error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) },
  };
}

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
    return {
      status: err.status,
      body: {
        error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) },
      },
      ...(err.headers ? { headers: err.headers } : {}),
    };
  }
  if (err instanceof DomainError) {
    return { status: STATUS[err.code], body: domainBody(err) };
  }
  const down = databaseUnavailable(err);
  if (down !== undefined) {
    // Retrying is safe (intake and import are idempotent on the lead's keys). Only the code is
    // logged: the driver's message carries the statement and its values.
    return {
      log: { level: 'warn', fields: { database: down } },
      status: 503,
      body: {
        error: {
          code: 'database_unavailable',
          message: `The database is unreachable right now; try again in ${RETRY_AFTER_SECONDS} seconds.`,
        },
      },
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    };
  }
  return {
    log: { level: 'error', fields: { err } },
    status: 500,
    body: { error: { code: 'internal', message: 'Something went wrong on our side; it has been logged.' } },
  };
}
