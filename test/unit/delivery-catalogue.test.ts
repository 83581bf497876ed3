import { describe, expect, it } from 'vitest';
import { delivery, parseDelivery, type DeliveryKind } from '../../src/services/delivery-catalogue.js';
import { dispatch, type OutboxRow, type Senders } from '../../src/services/outbox.js';
import { examplePolicy } from '../helpers/app.js';

const ctx = { workspaceId: 'T0', policy: examplePolicy() };
const H = '0b6c7a52-1f1e-4d8e-9a52-3c1f0e8d2a11';
const moved = {
  kind: 'moved',
  from: 'U0A',
  to: 'U0B',
  at: '2026-11-24T10:00:00.000Z',
  deadline: '2026-11-24T12:00:00.000Z',
  reason: 'breach',
  holder: 2,
} as const;

/*
 * Misuses the compiler refuses: `npm run typecheck` fails when one of them compiles (an unused
 * @ts-expect-error is an error). Never called: they are here to be type-checked.
 */
const misuses = [
  // @ts-expect-error: no such kind
  () => delivery(ctx, 'post_kard', { handoffId: H, teamChannel: 'C0SMB' }),
  // @ts-expect-error: a thread reply must say which event it tells
  () => delivery(ctx, 'thread_reply', { handoffId: H }),
  // @ts-expect-error: a later stage carries who moved the lead and why
  () => delivery(ctx, 'thread_reply', { handoffId: H, event: 'sql' }),
  // @ts-expect-error: an edit of the card names the change, or two changes would share one key
  () => delivery(ctx, 'update_card', { handoffId: H }),
  // @ts-expect-error: a reminder names its SLA step, the key that makes it one reminder
  () => delivery(ctx, 'sla_remind_rep', { handoffId: H, user: 'U0A', deadline: moved.deadline }),
  // @ts-expect-error: a thread line tells one move
  () => delivery(ctx, 'sla_thread_line', { handoffId: H, story: [] }),
];

describe('the delivery catalogue', () => {
  it('has misuses for the compiler to refuse', () => {
    expect(misuses).toHaveLength(6);
  });

  // The keys are those rows were queued with before the catalogue: a replay after an upgrade still dedupes.
  it.each<
    [string, () => ReturnType<typeof delivery>, { dedupeKey: string; channel: string | null; handoffId: string | null }]
  >([
    [
      'post_card',
      () => delivery(ctx, 'post_card', { handoffId: H, teamChannel: 'C0SMB' }),
      { dedupeKey: `card:${H}`, channel: 'C0SMB', handoffId: H },
    ],
    [
      'post_marketing_note',
      () => delivery(ctx, 'post_marketing_note', { handoffId: H }),
      { dedupeKey: `marketing_note:${H}`, channel: ctx.policy.marketing.channel, handoffId: H },
    ],
    [
      'update_card',
      () => delivery(ctx, 'update_card', { handoffId: H, change: 'sla_steps:7' }),
      { dedupeKey: `update_card:${H}:sla_steps:7`, channel: null, handoffId: H },
    ],
    [
      'thread_reply',
      () => delivery(ctx, 'thread_reply', { handoffId: H, event: 'lost', by: 'U0A', reason: 'budget' }),
      { dedupeKey: `thread_reply:${H}:lost`, channel: ctx.policy.marketing.channel, handoffId: H },
    ],
    [
      'sla_remind_rep',
      () => delivery(ctx, 'sla_remind_rep', { handoffId: H, user: 'U0A', deadline: moved.deadline, stepId: 12 }),
      { dedupeKey: 'sla_step:12', channel: 'U0A', handoffId: H },
    ],
    [
      'sla_notices',
      () => delivery(ctx, 'sla_notices', { batchKey: 'U0M:2026-11-24T10:00:00.000Z', user: 'U0M' }),
      { dedupeKey: 'sla_notices:U0M:2026-11-24T10:00:00.000Z', channel: 'U0M', handoffId: null },
    ],
    [
      'sla_refresh_notices',
      () =>
        delivery(ctx, 'sla_refresh_notices', { handoffId: H, cause: 'acknowledged', at: '2026-11-24T10:00:00.000Z' }),
      {
        dedupeKey: `sla_refresh_notices:${H}:acknowledged:${Date.parse('2026-11-24T10:00:00.000Z')}`,
        channel: null,
        handoffId: H,
      },
    ],
    [
      'sla_breach_note',
      () => delivery(ctx, 'sla_breach_note', { handoffId: H, story: [moved], stepId: 13 }),
      { dedupeKey: 'sla_step:13', channel: ctx.policy.marketing.channel, handoffId: H },
    ],
    [
      'sla_thread_line',
      () => delivery(ctx, 'sla_thread_line', { handoffId: H, story: [moved] }),
      { dedupeKey: `thread_line:${H}:U0B`, channel: ctx.policy.marketing.channel, handoffId: H },
    ],
    [
      'sla_reassigned',
      () => delivery(ctx, 'sla_reassigned', { handoffId: H, user: 'U0B', fact: moved }),
      { dedupeKey: `reassigned:${H}:U0B`, channel: 'U0B', handoffId: H },
    ],
    [
      'sla_team_digest',
      () =>
        delivery(ctx, 'sla_team_digest', {
          teamId: 'smb',
          user: 'U0M',
          at: '2026-11-24T10:00:42.123Z',
          handoffIds: [H],
        }),
      { dedupeKey: 'team_digest:smb:2026-11-24T10:00:00.000Z', channel: 'U0M', handoffId: null },
    ],
    [
      'reports_digest',
      () => delivery(ctx, 'reports_digest', { period: '2026-11-16..2026-11-22' }),
      { dedupeKey: 'reports_digest:2026-11-16..2026-11-22', channel: ctx.policy.reports.channel, handoffId: null },
    ],
    [
      'reports_trend_chart',
      () => delivery(ctx, 'reports_trend_chart', { period: '2026-11-16..2026-11-22' }),
      { dedupeKey: 'reports_trend_chart:2026-11-16..2026-11-22', channel: ctx.policy.reports.channel, handoffId: null },
    ],
  ])('%s: key, channel and handoff; the worker parses what was queued', (kind, build, expected) => {
    const row = build();
    expect(row).toMatchObject({ workspaceId: 'T0', kind, ...expected });
    // As stored: through JSON.
    expect(parseDelivery({ kind, payload: JSON.parse(JSON.stringify(row.payload)) })).toMatchObject({ kind });
  });

  it('parses a row with the schema it was queued with: what only the key needed stays behind', () => {
    expect(parseDelivery({ kind: 'update_card', payload: { handoffId: H, change: 'accepted' } })).toEqual({
      kind: 'update_card',
      payload: { handoffId: H },
    });
    // Rows queued before the key needed the change still parse.
    expect(
      parseDelivery({ kind: 'sla_remind_rep', payload: { handoffId: H, user: 'U0A', deadline: moved.deadline } }),
    ).toMatchObject({ kind: 'sla_remind_rep' });
  });

  it('names what no sender can take', () => {
    expect(parseDelivery({ kind: 'post_kard', payload: { handoffId: H } })).toEqual({
      error: 'unknown delivery kind "post_kard"',
    });
    expect(parseDelivery({ kind: 'thread_reply', payload: { handoffId: 'nope', event: 'accepted' } })).toEqual({
      error: 'malformed thread_reply payload (handoffId)',
    });
  });
});

describe('dispatch', () => {
  const row = (kind: string, payload: unknown): OutboxRow => ({
    id: 1,
    workspaceId: 'T0',
    dedupeKey: 'k',
    kind,
    handoffId: null,
    channel: 'C0',
    payload,
    status: 'pending',
    attempts: 1,
    notBefore: new Date(0),
    lockedUntil: null,
    lastError: null,
    result: null,
    createdAt: new Date(0),
    doneAt: null,
  });
  const sent: { kind: string; payload: unknown }[] = [];
  const record = (kind: string) => (payload: unknown) => {
    sent.push({ kind, payload });
    return Promise.resolve({ kind: 'done' as const, result: null });
  };
  // Every kind needs its sender: leaving one out does not compile.
  const senders: Senders<DeliveryKind> = {
    post_card: record('post_card'),
    post_marketing_note: record('post_marketing_note'),
    update_card: record('update_card'),
    thread_reply: record('thread_reply'),
    sla_remind_rep: record('sla_remind_rep'),
    sla_notices: record('sla_notices'),
    sla_refresh_notices: record('sla_refresh_notices'),
    sla_breach_note: record('sla_breach_note'),
    sla_thread_line: record('sla_thread_line'),
    sla_reassigned: record('sla_reassigned'),
    sla_team_digest: record('sla_team_digest'),
    reports_digest: record('reports_digest'),
    reports_trend_chart: record('reports_trend_chart'),
    hubspot_write: record('hubspot_write'),
  };
  const deliver = dispatch(senders);

  it("hands the parsed payload to its kind's sender", async () => {
    sent.length = 0;
    expect(await deliver(row('update_card', { handoffId: H, change: 'accepted' }))).toEqual({
      kind: 'done',
      result: null,
    });
    expect(sent).toEqual([{ kind: 'update_card', payload: { handoffId: H } }]);
  });

  it('sets a row no sender can take aside as dead, without calling a sender', async () => {
    sent.length = 0;
    expect(await deliver(row('post_kard', { handoffId: H }))).toEqual({
      kind: 'abandon',
      error: 'unknown delivery kind "post_kard"',
    });
    expect(await deliver(row('post_card', {}))).toEqual({
      kind: 'abandon',
      error: 'malformed post_card payload (handoffId)',
    });
    expect(sent).toEqual([]);
  });
});
