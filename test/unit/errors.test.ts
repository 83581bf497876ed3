import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DomainError, refuse, type Refusal } from '../../src/domain/errors.js';
import { HttpError, toEnvelope } from '../../src/http/errors.js';
import { slackErrorText } from '../../src/slack/errors.js';

const logger = pino({ level: 'silent' });

/** Each refusal that names people, with the words a Slack user has always seen for it. */
const refusals: { refusal: Refusal; slack: string; status: number; http: string }[] = [
  {
    refusal: { code: 'not_found', about: 'not_a_rep', user: 'U0NOBODY' },
    slack: "<@U0NOBODY> is not a rep in Baton's policy. The lead may have been removed; check with RevOps.",
    status: 404,
    http: "That user is not a rep in Baton's policy.",
  },
  {
    refusal: { code: 'not_allowed', about: 'away_for_someone_else', user: 'U0FILIP', manager: 'U0SMBMGR' },
    slack: 'Only <@U0FILIP> or their manager <@U0SMBMGR> can change that.',
    status: 403,
    http: 'Only the rep or their manager can change that.',
  },
  {
    refusal: { code: 'stale_card', about: 'reassigned_away', holder: 'U0BEA' },
    slack:
      'This lead was reassigned to <@U0BEA>; it is theirs to decide now. Reload the card to see where the lead is now.',
    status: 409,
    http: 'This lead was reassigned to another rep; it is theirs to decide now.',
  },
  {
    refusal: { code: 'not_allowed', about: 'not_the_holder', holder: 'U0ANA' },
    slack: 'Only <@U0ANA> or their manager can decide this lead.',
    status: 403,
    http: "Only the lead's rep or their manager can decide this lead.",
  },
  {
    refusal: { code: 'not_allowed', about: 'not_the_manager', team: 'SMB', manager: 'U0SMBMGR', action: 'acknowledge' },
    slack: "Only SMB's manager <@U0SMBMGR> can acknowledge this lead.",
    status: 403,
    http: "Only SMB's manager can acknowledge this lead.",
  },
  {
    refusal: { code: 'stale_card', about: 'decided_before', status: 'accepted', decidedBy: 'U0ANA' },
    slack: 'This lead was already accepted by <@U0ANA>. Reload the card to see where the lead is now.',
    status: 409,
    http: 'This lead was already accepted.',
  },
  {
    refusal: { code: 'stale_card', about: 'decided_before', status: 'rejected', decidedBy: undefined },
    slack: 'This lead was already rejected by someone. Reload the card to see where the lead is now.',
    status: 409,
    http: 'This lead was already rejected.',
  },
];

describe('a refusal that names people', () => {
  it.each(refusals)('$refusal.about: mentions in Slack', ({ refusal, slack }) => {
    expect(slackErrorText(refuse(refusal), logger)).toBe(slack);
  });

  it.each(refusals)('$refusal.about: plain words and the ids as details over HTTP', ({ refusal, status, http }) => {
    const envelope = toEnvelope(refuse(refusal));
    const { code, ...facts } = refusal;
    expect(envelope).toEqual({ status, body: { error: { code, message: http, details: facts } } });
    expect(JSON.stringify(envelope)).not.toContain('<@');
  });

  it('logs only its kind, never a mention', () => {
    expect(refuse(refusals[1]!.refusal).message).toBe('not_allowed: away_for_someone_else');
  });
});

describe('an error without people', () => {
  it('says its message at both edges', () => {
    const err = new DomainError('illegal_transition', 'A lead in stage "sql" cannot move to "mql".', {
      from: 'sql',
      to: 'mql',
    });
    expect(slackErrorText(err, logger)).toBe(
      'A lead in stage "sql" cannot move to "mql". Reload the card to see where the lead is now.',
    );
    expect(toEnvelope(err)).toEqual({
      status: 409,
      body: {
        error: {
          code: 'illegal_transition',
          message: 'A lead in stage "sql" cannot move to "mql".',
          details: { from: 'sql', to: 'mql' },
        },
      },
    });
  });
});

describe('transport failures are the HTTP edge own codes', () => {
  it.each([
    [401, 'unauthorized'],
    [413, 'payload_too_large'],
    [415, 'unsupported_media_type'],
  ] as const)('%i %s keeps its status and envelope', (status, code) => {
    expect(toEnvelope(new HttpError(status, code, 'why'))).toEqual({
      status,
      body: { error: { code, message: 'why' } },
    });
  });

  it('cannot be raised as a domain error', () => {
    // @ts-expect-error a transport code is not in the domain's union
    expect(new DomainError('payload_too_large', 'x').code).toBe('payload_too_large');
  });
});
