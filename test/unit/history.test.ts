import { describe, expect, it } from 'vitest';
import { historyFromEvents, replayHistory, type HistoryEntry, type HistoryEvent } from '../../src/domain/history.js';

const rules = {
  hasTeam: (id: string) => id === 'smb',
  rejectionOutcome: (id: string) => (({ 'bad-data': 'disqualify', 'no-budget': 'nurture' }) as const)[id],
};
const at = (h: number) => new Date(Date.UTC(2026, 8, 1, h));
const mql = (h: number, owner = 'U0EVA'): HistoryEntry => ({ stage: 'mql', at: at(h), team: 'smb', owner });

describe('replayHistory', () => {
  it.each<[string, HistoryEntry[], string, number]>([
    ['no history', [], 'lead', 0],
    ['an open handoff', [mql(1)], 'mql', 1],
    [
      'accepted and won',
      [
        mql(1),
        { stage: 'sal', at: at(2), by: 'U0EVA' },
        { stage: 'sql', at: at(3) },
        { stage: 'opportunity', at: at(4) },
        { stage: 'customer', at: at(5) },
      ],
      'customer',
      5,
    ],
    [
      'rejected into nurture, back for a second handoff',
      [mql(1), { stage: 'rejected', at: at(2), by: 'U0EVA', reason: 'no-budget' }, mql(3, 'U0FILIP')],
      'mql',
      3,
    ],
    [
      'rejected as bad data: disqualified, the repeated stage says nothing new',
      [mql(1), { stage: 'rejected', at: at(2), by: 'U0EVA', reason: 'bad-data' }, { stage: 'disqualified', at: at(3) }],
      'disqualified',
      2,
    ],
    [
      'lost after SQL',
      [
        mql(1),
        { stage: 'sal', at: at(2), by: 'U0EVA' },
        { stage: 'sql', at: at(3) },
        { stage: 'lost', at: at(4), reason: 'price' },
      ],
      'lost',
      4,
    ],
  ])('%s', (_name, history, stage, steps) => {
    const replay = replayHistory(history, rules);
    expect(replay).toMatchObject({ ok: true, stage });
    expect(replay.ok && replay.steps.length).toBe(steps);
  });

  it.each<[string, HistoryEntry[], string, RegExp]>([
    [
      'an unknown team',
      [{ stage: 'mql', at: at(1), team: 'nope', owner: 'U0EVA' }],
      'history.0',
      /team "nope" is not in the policy/,
    ],
    ['a decision without a handoff', [{ stage: 'sal', at: at(1), by: 'U0EVA' }], 'history.0', /no "mql" entry/],
    [
      'an unknown rejection reason',
      [mql(1), { stage: 'rejected', at: at(2), by: 'U0EVA', reason: 'whim' }],
      'history.1',
      /reason "whim"/,
    ],
    ['sql before sal', [mql(1), { stage: 'sql', at: at(2) }], 'history.1', /cannot move to "sql"/],
    ['nurture while a handoff is open', [mql(1), { stage: 'nurture', at: at(2) }], 'history.1', /must be decided/],
  ])('refuses %s, naming the entry', (_name, history, path, message) => {
    const replay = replayHistory(history, rules);
    expect(replay.ok).toBe(false);
    if (!replay.ok) {
      expect(replay.problem.path).toBe(path);
      expect(replay.problem.message).toMatch(message);
    }
  });
});

describe('historyFromEvents', () => {
  it('gives back the history the events were replayed from', () => {
    const history: HistoryEntry[] = [
      mql(1),
      { stage: 'rejected', at: at(2), by: 'U0EVA', reason: 'no-budget', note: 'later' },
      mql(3, 'U0FILIP'),
      { stage: 'sal', at: at(4), by: 'U0FILIP' },
      { stage: 'sql', at: at(5), by: 'U0FILIP' },
      { stage: 'lost', at: at(6), reason: 'price' },
    ];
    const replay = replayHistory(history, rules);
    if (!replay.ok) throw new Error('valid history');
    const handoffs = new Map(replay.steps.flatMap((s) => (s.kind === 'handoff' ? [[s.handoff.seq, s.handoff]] : [])));
    const events: HistoryEvent[] = replay.steps.map((s) =>
      s.kind === 'handoff'
        ? {
            type: 'handoff_started',
            toStage: 'mql',
            at: s.handoff.at,
            actor: 'import',
            reason: 'import',
            handoff: {
              teamId: s.handoff.teamId,
              rejectNote: s.handoff.decision?.note ?? null,
              firstRep: s.handoff.repUserId,
            },
          }
        : {
            type: s.type,
            toStage: s.to,
            at: s.at,
            actor: s.actor,
            reason: s.reason,
            handoff:
              s.handoffSeq === undefined
                ? undefined
                : {
                    teamId: 'smb',
                    rejectNote: handoffs.get(s.handoffSeq)!.decision?.note ?? null,
                    firstRep: undefined,
                  },
          },
    );
    expect(
      historyFromEvents([
        { type: 'created', toStage: 'lead', at: at(0), actor: 'import', reason: null, handoff: undefined },
        ...events,
      ]),
    ).toEqual(history.map((e) => ('by' in e || e.stage === 'mql' ? e : { ...e, by: undefined })));
  });
});
