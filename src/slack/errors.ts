import { DomainError, type ErrorCode } from '../domain/errors.js';
import type { Logger } from '../log.js';

const HINT: Partial<Record<ErrorCode, string>> = {
  not_found: 'The lead may have been removed; check with RevOps.',
  conflict: 'Try again in a moment.',
  illegal_transition: 'Reload the card to see where the lead is now.',
  stale_card: 'Reload the card to see where the lead is now.',
};

/**
 * The one place an error becomes words for a Slack user: a domain error says what happened and
 * what to do; anything else is logged and reported as our fault, never silently dropped.
 */
export function slackErrorText(err: unknown, logger: Logger): string {
  if (err instanceof DomainError) return `${err.message}${HINT[err.code] ? ` ${HINT[err.code]!}` : ''}`;
  logger.error({ err }, 'slack request failed');
  return 'Something went wrong on our side; it has been logged. Please try again in a minute.';
}
