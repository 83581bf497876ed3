import { DomainError, type ErrorCode, type Refusal } from '../domain/errors.js';
import type { Logger } from '../log.js';

const HINT: Partial<Record<ErrorCode, string>> = {
  not_found: 'The lead may have been removed; check with RevOps.',
  conflict: 'Try again in a moment.',
  illegal_transition: 'Reload the card to see where the lead is now.',
  stale_card: 'Reload the card to see where the lead is now.',
};

const mention = (user: string): string => `<@${user}>`;

/** A refusal in Slack's words: the people it names are mentions, so the reader can reach them. */
function refusalText(r: Refusal): string {
  switch (r.about) {
    case 'not_a_rep':
      return `${mention(r.user)} is not a rep in Baton's policy.`;
    case 'away_for_someone_else':
      return `Only ${mention(r.user)} or their manager ${mention(r.manager)} can change that.`;
    case 'reassigned_away':
      return `This lead was reassigned to ${mention(r.holder)}; it is theirs to decide now.`;
    case 'not_the_holder':
      return `Only ${mention(r.holder)} or their manager can decide this lead.`;
    case 'not_the_manager':
      return `Only ${r.team}'s manager ${mention(r.manager)} can ${r.action} this lead.`;
    case 'decided_before':
      return `This lead was already ${r.status} by ${r.decidedBy === undefined ? 'someone' : mention(r.decidedBy)}.`;
  }
}

/**
 * The one place an error becomes words for a Slack user: a domain error says what happened and
 * what to do; anything else is logged and reported as our fault, never silently dropped.
 */
export function slackErrorText(err: unknown, logger: Logger): string {
  if (err instanceof DomainError) {
    const hint = HINT[err.code];
    return `${err.refusal ? refusalText(err.refusal) : err.message}${hint ? ` ${hint}` : ''}`;
  }
  logger.error({ err }, 'slack request failed');
  return 'Something went wrong on our side; it has been logged. Please try again in a minute.';
}
