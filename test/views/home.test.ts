import type { HomeView, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { HomeQueue, QueueItem } from '../../src/services/home.js';
import { parseAction } from '../../src/slack/ids.js';
import { HOME_BLOCK_LIMIT, renderHome } from '../../src/slack/views/home.js';

const NOW = new Date('2026-11-23T10:00:00Z');
const item = (i: number, over: Partial<QueueItem> = {}): QueueItem => ({
  handoffId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  name: `Lead ${i}`,
  company: 'Acme',
  score: 50 + i,
  repUserId: 'U0EVA',
  dueAt: new Date(NOW.getTime() + (i - 2) * 3_600_000),
  overdue: i < 2,
  waitingFor: undefined,
  ...over,
});
const queue = (n: number, over: Partial<HomeQueue> = {}): HomeQueue => ({
  title: 'Your open leads',
  items: Array.from({ length: Math.min(n, 50) }, (_, i) => item(i)),
  total: n,
  forManager: false,
  away: [],
  ...over,
});

type AnyBlock = KnownBlock & {
  text?: { text: string };
  elements?: { text?: string | { text: string }; action_id?: string }[];
};
type Blocks = HomeView['blocks'];
const texts = (blocks: Blocks): string[] =>
  (blocks as AnyBlock[]).flatMap((b) => [
    b.text?.text ?? '',
    ...(b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : (e.text?.text ?? ''))),
  ]);
const actionIds = (blocks: Blocks): string[] =>
  (blocks as AnyBlock[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []).map((e) => e.action_id ?? '') : []));

describe('App Home view', () => {
  it("a rep's open leads: due times in their zone, overdue marked, Accept and Reject through the one encoder", () => {
    const view = renderHome({
      kind: 'member',
      zone: 'Europe/Stockholm',
      now: NOW,
      queues: [queue(3)],
      toQualify: [],
      marketing: undefined,
    });
    expect(view.type).toBe('home');
    const all = texts(view.blocks).join('\n');
    expect(all).toContain('Your open leads (3)');
    // 08:00Z is 09:00 in Stockholm (UTC+1 in November), 10:00Z is 11:00.
    expect(all).toContain(':red_circle: *overdue* since Mon 23 Nov 09:00 CET');
    expect(all).toContain('decide by Mon 23 Nov 11:00 CET');
    expect(all).not.toContain('<@U0EVA>');
    expect(actionIds(view.blocks).map((id) => parseAction(id))).toEqual(
      [0, 1, 2].flatMap((i) => [
        { kind: 'accept', handoffId: item(i).handoffId },
        { kind: 'reject', handoffId: item(i).handoffId },
      ]),
    );
    const blockIds = view.blocks.flatMap((b) => ('block_id' in b && b.block_id !== undefined ? [b.block_id] : []));
    expect(new Set(blockIds).size).toBe(blockIds.length);
  });

  it.each<[string, { from: Date | null; until: Date | null } | undefined, string | undefined]>([
    [
      'away now until a day',
      { from: null, until: new Date('2026-11-30T23:00:00Z') },
      ':palm_tree: You are away, back on Tue 1 Dec: no new leads for you until then.',
    ],
    [
      'away now with no end',
      { from: null, until: null },
      ':palm_tree: You are away, back when you type `/baton back`: no new leads for you until then.',
    ],
    [
      'a planned period',
      { from: new Date('2026-12-06T23:00:00Z'), until: new Date('2026-12-13T23:00:00Z') },
      ':palm_tree: Next away: from Mon 7 Dec, back on Mon 14 Dec. Your undecided leads go to teammates when it starts.',
    ],
    [
      'a planned period that has started',
      { from: new Date('2026-11-22T23:00:00Z'), until: new Date('2026-12-13T23:00:00Z') },
      ':palm_tree: You are away, back on Mon 14 Dec: no new leads for you until then.',
    ],
    ['no away period', undefined, undefined],
  ])('a rep sees their own away period, now or next: %s', (_name, away, line) => {
    const view = renderHome({
      kind: 'member',
      zone: 'Europe/Stockholm',
      now: NOW,
      queues: [queue(1)],
      toQualify: [],
      marketing: undefined,
      away,
    });
    expect(texts(view.blocks).filter((t) => t.startsWith(':palm_tree:'))).toEqual(line === undefined ? [] : [line]);
  });

  it("a manager's queue names each lead's rep and who is away", () => {
    const view = renderHome({
      kind: 'member',
      zone: 'Europe/Stockholm',
      now: NOW,
      queues: [queue(1, { title: 'SMB queue', forManager: true, away: ['U0FILIP', 'U0GUS'] })],
      toQualify: [],
      marketing: undefined,
    });
    const all = texts(view.blocks).join('\n');
    expect(all).toContain('SMB queue (1)');
    expect(all).toContain(':palm_tree: Away: <@U0FILIP>, <@U0GUS>');
    expect(all).toMatch(/overdue\* since .* · <@U0EVA>/);
    const calm = texts(
      renderHome({
        kind: 'member',
        zone: 'UTC',
        now: NOW,
        queues: [queue(0, { title: 'SMB queue', forManager: true })],
        toQualify: [],
        marketing: undefined,
      }).blocks,
    ).join('\n');
    expect(calm).toContain('Nobody in the team is away.');
    expect(calm).toContain('Nothing waiting for a decision.');
  });

  it('a lead waiting for the manager says so on every Home that lists it: "you" to the manager, the manager named to the rep and to marketing', () => {
    const stuck = item(0, { waitingFor: { manager: 'U0SMBMGR', why: 'nobody_left' } });
    const unrouted = item(3, {
      repUserId: 'U0SMBMGR',
      overdue: false,
      waitingFor: { manager: 'U0SMBMGR', why: 'no_rep_available' },
    });
    const manager = texts(
      renderHome({
        kind: 'member',
        zone: 'Europe/Stockholm',
        now: NOW,
        queues: [queue(3, { title: 'SMB queue', forManager: true, items: [stuck, unrouted, item(1)] })],
        toQualify: [],
        marketing: undefined,
      }).blocks,
    );
    const leads = manager.filter((t) => t.startsWith('*Lead '));
    // Shown in the order the queue comes in (waiting first), each with why and since when.
    expect(leads[0]).toBe(
      '*Lead 0* — Acme · score 50\n:hourglass: *Overdue — waiting for you*: nobody else in the team can take it · since Mon 23 Nov 09:00 CET · <@U0EVA>',
    );
    expect(leads[1]).toBe(
      '*Lead 3* — Acme · score 53\n:hourglass: *Waiting for you*: no rep was available · decide by Mon 23 Nov 12:00 CET · <@U0SMBMGR>',
    );
    expect(leads[2]).toContain(':red_circle: *overdue* since');
    expect(leads[2]).not.toContain('waiting');

    const rep = texts(
      renderHome({
        kind: 'member',
        zone: 'Europe/Stockholm',
        now: NOW,
        queues: [queue(2, { items: [stuck, item(1)] })],
        toQualify: [],
        marketing: undefined,
      }).blocks,
    ).join('\n');
    expect(rep).toContain(
      '*Lead 0* — Acme · score 50\n:hourglass: *Overdue — waiting for the manager <@U0SMBMGR>*: nobody else in the team can take it · since Mon 23 Nov 09:00 CET',
    );
    expect(rep).not.toContain('waiting for you');

    const marketing = {
      recent: [{ ...stuck, status: 'pending' as const, stage: 'mql', reason: null }],
      rejections: [],
      overdue: [stuck, item(1)],
      overdueTotal: 2,
    };
    const mkt = texts(
      renderHome({ kind: 'member', zone: 'UTC', now: NOW, queues: [], toQualify: [], marketing }).blocks,
    ).join('\n');
    expect(mkt).toContain('*Lead 0* — Acme → <@U0EVA> · :hourglass: *overdue, waiting for the manager*');
    expect(mkt).toContain(
      '*Overdue now (2)*\n:hourglass: *waiting for the manager* · *Lead 0* — Acme · <@U0EVA> · due',
    );
    expect(mkt).toMatch(/\n\*Lead 1\* — Acme · <@U0EVA> · due/);
  });

  it('an empty queue says so', () => {
    const all = texts(
      renderHome({ kind: 'member', zone: 'UTC', now: NOW, queues: [queue(0)], toQualify: [], marketing: undefined })
        .blocks,
    ).join('\n');
    expect(all).toContain('Your open leads (0)');
    expect(all).toContain('Nothing waiting for you.');
  });

  // Two blocks a lead; 2 for the page head, 3 a queue (title, "and N more", divider), 1 more for a manager's away line.
  it.each([
    [[1000], [47]],
    [
      [40, 1000],
      [23, 22],
    ],
    [
      [3, 1000],
      [3, 42],
    ],
    [
      [1000, 1000, 1000],
      [15, 14, 14],
    ],
  ])(
    'within 100 blocks however long the queues %j, leads shared out fairly and the rest counted',
    (totals, shownExpected) => {
      const queues = totals.map((t, q) =>
        queue(t, {
          title: `Q${q}`,
          forManager: q > 0,
          items: queue(t).items.map((it, i) => ({
            ...it,
            handoffId: `00000000-0000-4000-800${q}-${String(i).padStart(12, '0')}`,
          })),
        }),
      );
      const view = renderHome({ kind: 'member', zone: 'UTC', now: NOW, queues, toQualify: [], marketing: undefined });
      expect(view.blocks.length).toBeLessThanOrEqual(HOME_BLOCK_LIMIT);
      const accepts = actionIds(view.blocks)
        .map((id) => parseAction(id))
        .filter((a) => a?.kind === 'accept');
      expect(
        queues.map((_, q) => accepts.filter((a) => a!.handoffId.startsWith(`00000000-0000-4000-800${q}-`)).length),
      ).toEqual(shownExpected);
      const more = texts(view.blocks)
        .flatMap((t) => /^and (\d+) more$/.exec(t)?.[1] ?? [])
        .map(Number);
      expect(more).toEqual(totals.map((t, i) => t - shownExpected[i]!).filter((n) => n > 0));
    },
  );

  it('a manager of more teams than fit still gets a Home within the limit, the rest of the queues counted', () => {
    const queues = Array.from({ length: 30 }, (_, q) => queue(5, { title: `Team ${q} queue`, forManager: true }));
    const view = renderHome({ kind: 'member', zone: 'UTC', now: NOW, queues, toQualify: [], marketing: undefined });
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_BLOCK_LIMIT);
    const all = texts(view.blocks);
    const titles = all.filter((t) => /^Team \d+ queue \(5\)$/.test(t));
    expect(titles.length).toBeGreaterThan(0);
    const counted = all.find((t) => t.startsWith('and ') && t.includes('more team queues'))!;
    expect(Number(/^and (\d+) more team queues/.exec(counted)?.[1])).toBe(30 - titles.length);
    expect(counted).toContain('Team 29 queue (5)');
  });

  it('someone who is neither rep nor manager learns what Baton is', () => {
    const view = renderHome({ kind: 'outsider' });
    const all = texts(view.blocks).join('\n');
    expect(all).toContain('*Baton* hands marketing');
    expect(all).toContain('not a rep, a manager or a marketer');
    expect(actionIds(view.blocks)).toEqual([]);
  });

  it("a marketer sees recent handoffs and their state, this month's rejection reasons and the overdue ones", () => {
    const marketing = {
      recent: [
        { ...item(1), status: 'rejected' as const, stage: 'nurture', reason: 'Bad timing' },
        { ...item(2, { overdue: true }), status: 'pending' as const, stage: 'mql', reason: null },
        { ...item(3, { overdue: false }), status: 'accepted' as const, stage: 'sql', reason: null },
      ],
      rejections: [
        { label: 'Bad timing', count: 3 },
        { label: 'Not our ideal customer profile', count: 1 },
      ],
      overdue: [item(2, { overdue: true })],
      overdueTotal: 1,
    };
    const view = renderHome({ kind: 'member', zone: 'UTC', now: NOW, queues: [], toQualify: [], marketing });
    const all = texts(view.blocks).join('\n');
    expect(all).toContain('*Lead 1* — Acme → <@U0EVA> · rejected: _Bad timing_');
    expect(all).toContain('*Lead 2* — Acme → <@U0EVA> · :red_circle: *overdue*');
    expect(all).toContain('*Lead 3* — Acme → <@U0EVA> · accepted, now sql');
    expect(all).toContain('*Rejection reasons this month*\nBad timing: 3\nNot our ideal customer profile: 1');
    expect(all).toContain('*Overdue now (1)*\n*Lead 2* — Acme · <@U0EVA> · due');
    expect(all).not.toContain('not a rep');
  });

  it('a rep sees their accepted leads still waiting for Qualify', () => {
    const view = renderHome({
      kind: 'member',
      zone: 'UTC',
      now: NOW,
      queues: [queue(0)],
      toQualify: [item(7)],
      marketing: undefined,
    });
    const all = texts(view.blocks).join('\n');
    expect(all).toContain('Accepted, waiting for Qualify (1)');
    expect(all).toContain('*Lead 7* — Acme · score 57');
  });
});
