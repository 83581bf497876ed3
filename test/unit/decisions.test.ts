import { describe, expect, it } from 'vitest';
import { mayDecide } from '../../src/domain/decisions.js';
import { examplePolicy } from '../helpers/app.js';

const policy = examplePolicy();

describe('who may decide a handoff', () => {
  it.each<[string, { teamId: string; repUserId: string }, string, boolean]>([
    ['the assigned rep', { teamId: 'enterprise', repUserId: 'U0ANA' }, 'U0ANA', true],
    ["the team's manager", { teamId: 'enterprise', repUserId: 'U0ANA' }, 'U0ENTMGR', true],
    ['a teammate where the team may not decide', { teamId: 'enterprise', repUserId: 'U0ANA' }, 'U0BO', false],
    ['a teammate where the team may decide', { teamId: 'smb', repUserId: 'U0EVA' }, 'U0FILIP', true],
    ['an inactive teammate, even there', { teamId: 'smb', repUserId: 'U0EVA' }, 'U0GUS', false],
    ["another team's manager", { teamId: 'smb', repUserId: 'U0EVA' }, 'U0ENTMGR', false],
    ['a marketer', { teamId: 'smb', repUserId: 'U0EVA' }, 'U0MARKETER', false],
    [
      'anyone, on a team no longer in the policy, except the rep',
      { teamId: 'gone', repUserId: 'U0EVA' },
      'U0SMBMGR',
      false,
    ],
  ])('%s: %s', (_name, handoff, user, allowed) => {
    expect(mayDecide(policy, handoff, user)).toBe(allowed);
  });
});
