import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { parseAction } from '../../src/slack/ids.js';
import {
  formatElapsed,
  renderLeadCard,
  renderMarketingNote,
  renderUnthreaded,
  type LeadCardModel,
} from '../../src/slack/views/card.js';
import { escapeMrkdwn, truncateMrkdwn } from '../../src/slack/views/escape.js';

const HANDOFF = '3f2b8c1e-5d4a-4c3b-9a1f-0e2d3c4b5a69';
const model = (over: Partial<LeadCardModel> = {}): LeadCardModel => ({
  handoffId: HANDOFF,
  name: 'Ana Andersson',
  title: 'VP Sales',
  company: 'Acme',
  employees: 1200,
  country: 'SE',
  persona: 'sales-leader',
  channel: 'referral',
  source: 'hubspot',
  email: 'ana@acme.io',
  score: 60,
  breakdown: ['+20 senior title', '+30 demo request', '+10 referral'],
  activities: [{ type: 'demo_request', at: new Date('2026-11-20T09:00:00Z') }],
  repUserId: 'U0EVA',
  zone: 'Europe/Stockholm',
  dueAt: new Date('2026-11-24T13:00:00Z'),
  slaLabel: '2 d',
  assignedVia: 'round_robin',
  overdue: false,
  why: 'round-robin',
  state: { kind: 'pending' },
  ...over,
});

type AnyBlock = KnownBlock & {
  text?: { type: string; text: string };
  fields?: { text: string }[];
  elements?: { type: string; text?: string | { text: string }; action_id?: string }[];
};

function withinLimits(blocks: KnownBlock[]): void {
  expect(blocks.length).toBeLessThanOrEqual(50);
  expect(JSON.stringify(blocks).length).toBeLessThan(13_000);
  for (const b of blocks as AnyBlock[]) {
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(150);
    if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
    for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
    expect((b.fields ?? []).length).toBeLessThanOrEqual(10);
    for (const e of b.elements ?? [])
      if (e.type === 'button') expect((e.text as { text: string }).text.length).toBeLessThanOrEqual(75);
  }
}

describe('the MQL card', () => {
  it('shows who, why, by when — a Slack date token each reader sees in their zone, the team zone as fallback — and Accept / Reject that parse back to this handoff', () => {
    const { text, blocks } = renderLeadCard(model());
    const json = JSON.stringify(blocks);
    expect(json).toContain('Score 60');
    expect(json).toContain('+30 demo request');
    // 13:00Z is 14:00 in Stockholm in November.
    expect(json).toContain(
      `decide by <!date^${Date.parse('2026-11-24T13:00:00Z') / 1000}^{date_short_pretty} {time}|Tue 24 Nov 14:00 CET>`,
    );
    expect(json).toContain('"text":"New MQL: Ana Andersson — Acme"');
    expect(text).toContain('<@U0EVA>');
    const buttons = (blocks as AnyBlock[]).flatMap((b) => b.elements ?? []).filter((e) => e.type === 'button');
    expect(buttons.map((b) => parseAction(b.action_id!))).toEqual([
      { kind: 'accept', handoffId: HANDOFF },
      { kind: 'reject', handoffId: HANDOFF },
    ]);
    withinLimits(blocks);
  });

  it('stays inside every Slack limit with hostile, huge values, and pings nobody', () => {
    const hostile = '<!channel> <@U0BOSS> <https://evil.example|click> &amp; *bold* ' + 'x'.repeat(3000);
    const { text, blocks } = renderLeadCard(
      model({
        name: hostile,
        title: hostile,
        company: hostile,
        persona: hostile,
        email: hostile,
        breakdown: Array.from({ length: 200 }, (_, i) => `+1 rule ${i} ${hostile}`),
        activities: Array.from({ length: 1000 }, () => ({ type: hostile, at: new Date() })),
      }),
    );
    withinLimits(blocks);
    const mrkdwn = [
      text,
      ...(blocks as AnyBlock[]).flatMap((b) => [
        ...(b.text?.type === 'mrkdwn' ? [b.text.text] : []),
        ...(b.fields ?? []).map((f) => f.text),
        ...(b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : '')),
      ]),
    ].join('\n');
    expect(mrkdwn).not.toMatch(/<!channel>|<@U0BOSS>|<https:/);
    expect(mrkdwn).toContain('and 995 more');
  });

  it.each([true, false])(
    'an accepted and won card (within SLA: %s) says who, how fast, against which SLA, and offers no more steps',
    (withinSla) => {
      const { blocks } = renderLeadCard(
        model({
          state: {
            kind: 'accepted',
            by: 'U0SMBMGR',
            at: new Date('2026-11-24T10:12:00Z'),
            elapsedLabel: '1 h 12 min',
            withinSla,
            stage: 'customer',
          },
        }),
      );
      const json = JSON.stringify(blocks);
      expect(json).toContain(`Accepted by <@U0SMBMGR> in 1 h 12 min — ${withinSla ? 'within' : 'outside'} the 2 d SLA`);
      expect(json).not.toContain('"type":"button"');
    },
  );

  it.each<[string, Partial<LeadCardModel>, string, string[]]>([
    [
      'reassigned',
      { reassignedFrom: { rep: 'U0ANA', reason: 'breach' } },
      'Reassigned MQL',
      ['Assigned to <@U0EVA> · reassigned from <@U0ANA>, SLA missed · *decide by <!date^'],
    ],
    [
      'reassigned by the manager',
      { reassignedFrom: { rep: 'U0ANA', reason: 'manager' } },
      'Reassigned MQL',
      ["reassigned from <@U0ANA>, manager's call"],
    ],
    [
      'overdue',
      { overdue: true },
      'Overdue MQL',
      [':red_circle: *Overdue* since <!date^', '(2 d SLA) · Assigned to <@U0EVA>'],
    ],
    [
      'waiting for the manager',
      { overdue: true, reassignedFrom: { rep: 'U0ANA', reason: 'breach' }, waitingFor: { manager: 'U0MGR' } },
      'Overdue MQL, waiting for the manager',
      [
        '*Overdue — waiting for the manager* <@U0MGR> to decide: nobody else in the team can take it',
        'time ran out at <!date^',
      ],
    ],
  ])(
    'a pending card that is %s says so in its header and state, and keeps its buttons',
    (_name, over, heading, says) => {
      const { blocks } = renderLeadCard(model(over));
      const json = JSON.stringify(blocks);
      expect((blocks[0] as AnyBlock).text!.text).toBe(`${heading}: Ana Andersson — Acme`);
      for (const s of says) expect(json).toContain(s);
      expect((blocks as AnyBlock[]).flatMap((b) => b.elements ?? []).filter((e) => e.type === 'button')).toHaveLength(
        2,
      );
    },
  );

  it("an accepted lead that changed hands: the decider's own time, the handoff's time, and who missed", () => {
    const { blocks } = renderLeadCard(
      model({
        repUserId: 'U0BO',
        state: {
          kind: 'accepted',
          by: 'U0BO',
          at: new Date('2026-11-24T10:12:00Z'),
          elapsedLabel: '2 min',
          withinSla: false,
          stage: 'sal',
          handedOn: { ownElapsedLabel: '40 s', missedBy: ['U0ANA'] },
        },
      }),
    );
    expect(JSON.stringify(blocks)).toContain(
      'Accepted by <@U0BO> 40 s after it reached them — the handoff took 2 min, outside the 2 d SLA, missed by <@U0ANA>',
    );
  });

  it('says when nobody was available and the manager holds the lead', () => {
    expect(JSON.stringify(renderLeadCard(model({ assignedVia: 'manager_fallback' })).blocks)).toContain(
      'no rep was available',
    );
    expect(
      JSON.stringify(
        renderLeadCard(
          model({ assignedVia: 'capacity_fallback', why: "manager's queue, every rep away or at cap: Bo at cap" }),
        ).blocks,
      ),
    ).toContain('no rep was available');
  });

  it('says why this rep in one short line, escaped; imported history has none', () => {
    const lines = (m: LeadCardModel): string[] =>
      [...JSON.stringify(renderLeadCard(m).blocks).matchAll(/"text":"(Why this rep[^"]*)"/g)].map((x) => x[1]!);
    expect(lines(model({ why: 'round-robin: Bo was away, Ana at cap' }))).toEqual([
      'Why this rep: round-robin: Bo was away, Ana at cap',
    ]);
    expect(lines(model({ why: 'round-robin: <!here> at cap' }))).toEqual([
      'Why this rep: round-robin: &lt;!here&gt; at cap',
    ]);
    expect(lines(model({ why: null }))).toEqual([]);
  });

  it('the marketing note names team, rep and SLA, and opens the thread', () => {
    const { text } = renderMarketingNote({
      handoffId: HANDOFF,
      name: '<!here>',
      company: 'Acme',
      score: 60,
      teamName: 'SMB',
      repUserId: 'U0EVA',
      slaLabel: '2 d',
      dueAt: new Date('2026-11-24T13:00:00Z'),
      zone: 'Europe/Stockholm',
    });
    expect(text).toContain('&lt;!here&gt;');
    expect(text).toMatch(/SMB, <@U0EVA> · 2 d SLA/);
  });
});

describe('text helpers', () => {
  it.each<[number, number, string]>([
    [45, 24, '45 min'],
    [72, 24, '1 h 12 min'],
    [120, 24, '2 h'],
    [16 * 60, 8, '2 d'],
    [19 * 60, 8, '2 d 3 h'],
    [0, 8, '0 min'],
  ])('%i minutes with %i-hour days is "%s"', (minutes, hoursPerDay, label) => {
    expect(formatElapsed(minutes, hoursPerDay)).toBe(label);
  });

  it('never cuts an escape entity in half', () => {
    const escaped = escapeMrkdwn('a'.repeat(8) + '<'.repeat(10));
    for (let max = 5; max < escaped.length; max++) expect(truncateMrkdwn(escaped, max)).not.toMatch(/&[a-z]{0,3}…$/);
  });
});

describe('a thread reply posted in the channel because its thread is gone', () => {
  const reply = {
    text: ':white_check_mark: Accepted by <@U1>.',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }] as KnownBlock[],
  };
  it.each([
    [{ name: 'Ana Andersson', company: 'Acme' }, '*Ana Andersson (Acme)*: :white_check_mark: Accepted by <@U1>.'],
    [{ name: 'Bo', company: null }, '*Bo*: :white_check_mark: Accepted by <@U1>.'],
    // Escaped: a lead's name pings nobody.
    [{ name: '<!channel>', company: null }, '*&lt;!channel&gt;*: :white_check_mark: Accepted by <@U1>.'],
  ])('names the lead first: %j', (lead, text) => {
    const out = renderUnthreaded(lead, reply);
    expect(out.text).toBe(text);
    expect(out.blocks[0]).toMatchObject({ type: 'context' });
    expect(out.blocks.slice(1)).toEqual(reply.blocks);
  });
});
