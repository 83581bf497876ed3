import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/services/lead-history.js';
import { renderLeadHistory } from '../../src/slack/views/lead-history.js';

const at = (iso: string) => new Date(iso);
const ENTRIES: HistoryEntry[] = [
  { type: 'created', fromStage: null, toStage: 'lead', at: at('2026-11-20T08:00:00Z'), actor: null, reason: null },
  {
    type: 'handoff_started',
    fromStage: 'lead',
    toStage: 'mql',
    at: at('2026-11-20T08:00:00Z'),
    actor: 'baton',
    reason: 'score_threshold',
  },
  {
    type: 'assigned',
    fromStage: null,
    toStage: null,
    at: at('2026-11-20T08:00:00Z'),
    actor: 'baton',
    reason: null,
    detail: 'Eva: round-robin: Bo was away, <Ana> at cap',
  },
  {
    type: 'rejected',
    fromStage: 'mql',
    toStage: 'nurture',
    at: at('2026-11-20T13:30:00Z'),
    actor: 'U0EVA',
    reason: 'No budget <this year>',
  },
];
const sectionTexts = (blocks: KnownBlock[]): string[] =>
  blocks.flatMap((b) =>
    b.type === 'section' && b.text
      ? [b.text.text]
      : b.type === 'context'
        ? b.elements.flatMap((e) => ('text' in e && typeof e.text === 'string' ? [e.text] : []))
        : [],
  );

describe('/baton lead view', () => {
  it("the card first, then every event in order in the reader's zone, reasons escaped", () => {
    const card = {
      text: 'New MQL',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'New MQL: Ana' } } as KnownBlock],
    };
    const out = renderLeadHistory({
      card,
      name: 'Ana',
      stage: 'nurture',
      score: 40,
      entries: ENTRIES,
      zone: 'America/New_York',
    });
    expect(out.blocks[0]).toEqual(card.blocks[0]);
    const texts = sectionTexts(out.blocks);
    expect(texts[0]).toBe('*History* (4 events, times in America/New_York)');
    expect(texts[1]!.split('\n')).toEqual([
      '`2026-11-20 03:00` *Lead created* → lead',
      '`2026-11-20 03:00` *Handed to sales* lead → MQL by Baton, automatically: _the score reached the MQL threshold_',
      '`2026-11-20 03:00` *Assigned* by Baton, automatically → Eva: round-robin: Bo was away, &lt;Ana&gt; at cap',
      '`2026-11-20 08:30` *Rejected* MQL → nurture by <@U0EVA>: _No budget &lt;this year&gt;_',
    ]);
  });

  it.each<[Partial<HistoryEntry>, string]>([
    [
      { type: 'reassigned', actor: 'baton', reason: 'breach' },
      '*Reassigned* by Baton, automatically: _the rep did not decide within the SLA_',
    ],
    [{ type: 'reassigned', actor: 'U0SMBMGR', reason: 'away' }, '*Reassigned* by <@U0SMBMGR>: _the rep is away_'],
    [
      { type: 'handoff_started', fromStage: 'lead', toStage: 'mql', actor: 'import', reason: 'import' },
      '*Handed to sales* lead → MQL by the history import: _imported history_',
    ],
    [
      { type: 'handoff_started', fromStage: 'lead', toStage: 'mql', actor: 'baton', reason: 'mql_from_sender' },
      '*Handed to sales* lead → MQL by Baton, automatically: _marketing automation marked it an MQL_',
    ],
    [{ type: 'accepted', fromStage: 'mql', toStage: 'sal', actor: 'U0EVA' }, '*Accepted* MQL → accepted by <@U0EVA>'],
    [
      { type: 'qualified', fromStage: 'sal', toStage: 'sql', actor: 'U0EVA' },
      '*Qualified (SQL)* accepted → SQL by <@U0EVA>',
    ],
    [{ type: 'sla_escalated', actor: 'baton' }, '*SLA escalated to the manager* by Baton, automatically'],
    [{ type: 'some_new_event', actor: 'some_bot' }, '*some new event* by some bot'],
  ])("in people's words: %j", (entry, line) => {
    const e: HistoryEntry = {
      type: 'created',
      fromStage: null,
      toStage: null,
      at: at('2026-11-20T08:00:00Z'),
      actor: null,
      reason: null,
      ...entry,
    };
    const text = sectionTexts(
      renderLeadHistory({ card: undefined, name: 'Bo', stage: 'mql', score: 10, entries: [e], zone: 'UTC' }).blocks,
    ).at(-1)!;
    expect(text).toBe(`\`2026-11-20 08:00\` ${line}`);
    expect(text).not.toMatch(/_(score_threshold|baton|breach)_|\bby baton\b/);
  });

  it('a lead that never became an MQL has no card but a summary', () => {
    const out = renderLeadHistory({
      card: undefined,
      name: 'Bo',
      stage: 'lead',
      score: 10,
      entries: ENTRIES.slice(0, 1),
      zone: 'UTC',
    });
    expect(out.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Lead: Bo' } });
    expect(sectionTexts(out.blocks)).toContain('Stage *lead* · score 10 · never handed to sales');
  });

  it('a very long history stays within a message: the newest events are kept and the rest counted', () => {
    const many: HistoryEntry[] = Array.from({ length: 3000 }, (_, i) => ({
      type: 'reassigned',
      fromStage: null,
      toStage: null,
      at: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
      actor: 'U0EVA',
      reason: null,
    }));
    const out = renderLeadHistory({ card: undefined, name: 'Bo', stage: 'mql', score: 10, entries: many, zone: 'UTC' });
    expect(out.blocks.length).toBeLessThanOrEqual(50);
    const texts = sectionTexts(out.blocks);
    expect(texts.every((t) => t.length <= 3000)).toBe(true);
    // Summary, title, the count of what is left out, then the events.
    const shownLines = texts.slice(3).flatMap((t) => t.split('\n'));
    const dropped = Number(/^(\d+) earlier events not shown$/.exec(texts[2]!)?.[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped + shownLines.length).toBe(3000);
    expect(shownLines.at(-1)).toContain('`2026-01-03 01:59`');
  });
});
