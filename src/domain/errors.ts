/**
 * Every failure a user can cause or meet has a code. The Slack edge turns a code into an
 * ephemeral message saying what to do; the HTTP edge into a status and {error:{code,message}}.
 */
export const ERROR_CODES = [
  'validation_failed',
  'unauthorized',
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'illegal_transition',
  'not_allowed',
  'stale_card',
  'already_decided',
  'no_eligible_rep',
  'conflict',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
