import { describe, expect, it } from 'vitest';
import type { SlaFact } from '../../src/domain/sla.js';
import { parseAction } from '../../src/slack/ids.js';
import { LIMITS } from '../../src/slack/views/blocks.js';
import {
  renderBreachNote,
  renderNotices,
  renderReassigned,
  renderReminder,
  renderTeamDigest,
  renderThreadLine,
  storyLine,
  type DigestLead,
  type EscalatedLead,
  type NoticeItem,
  type NoticeOutcome,
} from '../../src/slack/views/sla-messages.js';

const id = (n: number) => `3f2b8c1e-5d4a-4c3b-9a1f-${String(n).padStart(12, '0')}`;
const lead = (n: number, over: Partial<EscalatedLead> = {}): EscalatedLead => ({
  handoffId: id(n),
  name: `Lead ${n}`,
  company: 'Acme',
  slaLabel: '1 h',
  ...over,
});
const digestLead = (n: number, over: Partial<DigestLead> = {}): DigestLead => ({
  ...lead(n),
  repUserId: 'U0EVA',
  dueAt: new Date('2026-11-24T13:00:00Z'),
  stuck: false,
  ...over,
});
const ZONE = 'Europe/Stockholm';
const actionIds = (blocks: unknown[]): string[] =>
  [...JSON.stringify(blocks).matchAll(/"action_id":"([^"]+)"/g)].map((m) => m[1]!);
/** Slack's date token for an instant, with its fallback in the policy's zone. */
const token = (iso: string, fallback: string) =>
  `<!date^${Date.parse(iso) / 1000}^{date_short_pretty} {time}|${fallback}>`;

// Ana missed at 10:00 CET; the lead moved to Bo at 10:30; Bo decides by 11:30.
const missed: SlaFact = { kind: 'missed', rep: 'U0ANA', deadline: '2026-11-24T09:00:00.000Z' };
const moved: Extract<SlaFact, { kind: 'moved' }> = {
  kind: 'moved',
  from: 'U0ANA',
  to: 'U0BO',
  at: '2026-11-24T09:30:00.000Z',
  deadline: '2026-11-24T10:30:00.000Z',
  reason: 'breach',
  holder: 2,
};
const stuck: SlaFact = { kind: 'stuck', rep: 'U0BO', at: '2026-11-24T11:00:00.000Z' };
const item = (n: number, outcome: NoticeOutcome, story: SlaFact[] = [missed, moved]): NoticeItem => ({
  ...lead(n),
  cardUrl: `https://slack.com/archives/C0SMB/p170000000000000${n}`,
  story,
  outcome,
});

describe('SLA messages as data', () => {
  it('times are Slack date tokens whose fallback is in the policy zone with its common abbreviation', () => {
    const r = renderReminder(lead(1), new Date('2026-11-24T13:00:00Z'), ZONE);
    expect(r.text).toContain(`decide by ${token('2026-11-24T13:00:00Z', 'Tue 24 Nov 14:00 CET')}`);
    expect(renderReminder(lead(1), new Date('2026-11-24T13:00:00Z'), 'Asia/Tokyo').text).toContain(
      '|Tue 24 Nov 22:00 JST>',
    );
    expect(renderReminder(lead(1), new Date('2026-07-24T13:00:00Z'), ZONE).text).toContain('15:00 CEST>');
    expect(actionIds(r.blocks).map(parseAction)).toEqual([
      { kind: 'accept', handoffId: id(1) },
      { kind: 'reject', handoffId: id(1) },
    ]);
  });

  it('a story tells who missed with their own deadline, where the lead went, and who decides by when', () => {
    expect(storyLine([missed, moved], '1 h', ZONE)).toBe(
      `<@U0ANA> missed the 1 h SLA at ${token(missed.deadline, 'Tue 24 Nov 10:00 CET')}; the lead moved from <@U0ANA> to <@U0BO> at ${token(moved.at, 'Tue 24 Nov 10:30 CET')}; <@U0BO> (2nd rep) decides by ${token(moved.deadline, 'Tue 24 Nov 11:30 CET')}`,
    );
    // Told alone, a move says why.
    expect(storyLine([moved], '1 h', ZONE)).toContain('(<@U0ANA>: SLA missed)');
    expect(storyLine([{ ...moved, reason: 'away', holder: 3 }], '1 h', ZONE)).toContain(
      '(<@U0ANA>: away); <@U0BO> (3rd rep)',
    );
    expect(storyLine([missed, stuck], '1 h', ZONE)).toContain('nobody else in the team can take it');
  });

  it('grouped notice: each lead with its card link, its story and its own Acknowledge / Reassign', () => {
    const r = renderNotices([item(1, { kind: 'open' }), item(2, { kind: 'open' })], 'U0MGR', ZONE);
    expect(actionIds(r.blocks).map(parseAction)).toEqual([
      { kind: 'ack_escalation', handoffId: id(1) },
      { kind: 'reassign', handoffId: id(1) },
      { kind: 'ack_escalation', handoffId: id(2) },
      { kind: 'reassign', handoffId: id(2) },
    ]);
    const json = JSON.stringify(r.blocks);
    expect(json).toContain('<https://slack.com/archives/C0SMB/p1700000000000001|card>');
    expect(json).toContain('<@U0ANA> missed the 1 h SLA');
    expect(r.text).toMatch(/^:rotating_light: 2 leads missed the SLA: Lead 1, Lead 2/);
  });

  it('once acted on, a lead\'s buttons go and the outcome shows; the reader is "you"', () => {
    const at = new Date('2026-11-24T10:00:00Z');
    const cases: [NoticeOutcome, string][] = [
      [{ kind: 'acknowledged', by: 'U0MGR', at }, 'Acknowledged by you at'],
      [{ kind: 'acknowledged', by: 'U0OTHER', at }, 'Acknowledged by <@U0OTHER> at'],
      [{ kind: 'accepted', by: 'U0BO', at }, 'Accepted by <@U0BO> at'],
      [{ kind: 'rejected', by: 'U0BO', at }, 'Rejected by <@U0BO> at'],
      [{ kind: 'moved', to: 'U0CY' }, 'Now with <@U0CY>'],
    ];
    for (const [outcome, says] of cases) {
      const r = renderNotices([item(1, outcome)], 'U0MGR', ZONE);
      expect(actionIds(r.blocks)).toEqual([]);
      expect(JSON.stringify(r.blocks)).toContain(says);
      expect(r.text).toContain('(0 still open)');
    }
    // Nobody left: the manager decides, so the notice carries Accept / Reject.
    const waiting = renderNotices([item(1, { kind: 'waiting_for_manager' }, [missed, moved, stuck])], 'U0MGR', ZONE);
    expect(actionIds(waiting.blocks).map((a) => parseAction(a)?.kind)).toEqual(['accept', 'reject']);
    expect(JSON.stringify(waiting.blocks)).toContain('Waiting for your decision');
  });

  it("a notice of many leads stays inside Slack's 50 blocks", () => {
    const r = renderNotices(
      Array.from({ length: 40 }, (_, i) => item(i, { kind: 'open' })),
      'U0MGR',
      ZONE,
    );
    expect(r.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    expect(JSON.stringify(r.blocks)).toContain('…and 17 more');
  });

  it('the breach note and thread lines tell the story without pinging the manager', () => {
    const note = renderBreachNote([missed, moved], '1 h', ZONE);
    expect(note.text).toMatch(/^:warning: SLA breached: <@U0ANA> missed the 1 h SLA at /);
    expect(note.text).toContain("The team's manager has been told.");
    expect(renderThreadLine([moved], '1 h', ZONE).text).toMatch(/^:baton: The lead moved from <@U0ANA> to <@U0BO> at /);
  });

  it('a hostile lead name cannot ping a channel or fake a mention in any of them', () => {
    const hostile = { name: '<!channel> <@U0BOSS> *free*', company: '<https://evil.example|click>' };
    for (const r of [
      renderReminder(lead(3, hostile), new Date(), ZONE),
      renderNotices([{ ...item(3, { kind: 'open' }), ...hostile }], 'U0MGR', ZONE),
      renderReassigned(lead(3, hostile), moved, ZONE),
      renderTeamDigest('SMB', [digestLead(3, hostile)], ZONE, new Date()),
    ]) {
      const json = JSON.stringify(r.blocks);
      expect(json).not.toContain('<!channel>');
      expect(json).not.toContain('<@U0BOSS>');
      expect(json).not.toContain('<https://evil.example');
      expect(json).toContain('&lt;!channel&gt;');
    }
  });

  it("the reassignment says from whom and why, and the new rep's own deadline", () => {
    expect(renderReassigned(lead(4), { ...moved, reason: 'away' }, ZONE).text).toContain(
      'from <@U0ANA> (they are away)',
    );
    const r = renderReassigned(lead(4), moved, ZONE);
    expect(r.text).toContain('(the SLA ran out)');
    expect(r.text).toContain(`Decide by ${token(moved.deadline, 'Tue 24 Nov 11:30 CET')}`);
  });

  it('the digest: nothing overdue is said, not silence; leads waiting for the manager first, then oldest first, inside 50 blocks', () => {
    const none = renderTeamDigest('SMB', [], ZONE, new Date());
    expect(none.text).toContain('nothing overdue');
    const many = Array.from({ length: 300 }, (_, i) =>
      digestLead(i, { dueAt: new Date(Date.UTC(2026, 10, 20, 8, i)), stuck: i === 7 }),
    );
    const digest = renderTeamDigest('SMB', many, ZONE, new Date('2026-11-24T12:00:00Z'));
    expect(digest.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    const buttons = actionIds(digest.blocks).map(parseAction);
    expect(buttons[0]).toEqual({ kind: 'accept', handoffId: id(7) });
    expect(buttons.slice(1).map((a) => a!.handoffId)).toEqual(
      many
        .filter((l) => !l.stuck)
        .slice(0, buttons.length - 1)
        .map((l) => l.handoffId),
    );
    expect(JSON.stringify(digest.blocks)).toContain(`…and ${300 - buttons.length} more.`);
    expect(digest.text).toContain('300 leads past due');
  });
});
