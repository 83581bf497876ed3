/**
 * Every failure a user can cause or meet in the domain has a code. The Slack edge
 * (src/slack/errors.ts) turns a code into an ephemeral message saying what to do; the HTTP edge
 * (src/http/errors.ts) into a status and {error:{code,message}}. Failures of the transport itself
 * (a body too large, a wrong Content-Type, a missing token) are the HTTP edge's own codes.
 */
export const ERROR_CODES = [
  'validation_failed',
  'not_found',
  'illegal_transition',
  'not_allowed',
  'stale_card',
  'already_decided',
  'no_eligible_rep',
  'conflict',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Refusals that name people. The domain states who (Slack user ids) and what, never the
 * sentence: the Slack edge words it with mentions, the HTTP edge in plain words, so no
 * `<@U…>` markup leaks into a JSON message or a log line.
 */
export type Refusal =
  | { code: 'not_found'; about: 'not_a_rep'; user: string }
  | { code: 'not_allowed'; about: 'away_for_someone_else'; user: string; manager: string }
  | { code: 'stale_card'; about: 'reassigned_away'; holder: string }
  | { code: 'not_allowed'; about: 'not_the_holder'; holder: string }
  | { code: 'not_allowed'; about: 'not_the_manager'; team: string; manager: string; action: 'acknowledge' | 'reassign' }
  | { code: 'stale_card'; about: 'decided_before'; status: 'accepted' | 'rejected'; decidedBy: string | undefined };

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Set when the failure names people: the edges word it from these facts, not from `message`. */
    readonly refusal?: Refusal,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A refusal whose message (for logs) is its kind only; each edge renders the words. */
export function refuse(refusal: Refusal): DomainError {
  return new DomainError(refusal.code, `${refusal.code}: ${refusal.about}`, undefined, refusal);
}
