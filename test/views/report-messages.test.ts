import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { funnelFigures } from '../../src/domain/reports/funnel.js';
import { resolvePeriod } from '../../src/domain/reports/periods.js';
import { velocityFigures } from '../../src/domain/reports/velocity.js';
import { velocityChanges, type FunnelReport, type VelocityReport } from '../../src/services/reports.js';
import { bar, renderFunnel, renderVelocity, table } from '../../src/slack/views/report-messages.js';
import { funnelInputs } from '../helpers/funnel.js';

const pair = resolvePeriod({ kind: 'month' }, new Date('2026-11-25T13:00:00Z'), 'Europe/Stockholm');
const period = { spec: pair.spec, timeZone: 'Europe/Stockholm', current: pair.current, previous: pair.previous };

function within(blocks: KnownBlock[]): void {
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const b of blocks)
    if (b.type === 'section' && b.text) expect(Array.from(b.text.text).length).toBeLessThanOrEqual(3000);
}

describe('report views', () => {
  it("a breakdown of 2,000 groups stays inside Slack's limits and says how many rows it left out", () => {
    const groups = Array.from({ length: 2000 }, (_, i) => ({
      key: `channel-<${i}>-with-a-rather-long-name`,
      started: 2000 - i,
      pending: 0,
      accepted: 1,
      rejected: 1,
      reachedSql: 1,
      reachedOpportunity: 0,
      reachedCustomer: 0,
    }));
    const inputs = funnelInputs({
      flow: { handoffsStarted: 10 },
      cohort: { started: 10, accepted: 5, rejected: 5, reachedSql: 2, reachedOpportunity: 1 },
      groups,
    });
    const figures = funnelFigures(inputs, inputs, (id) => id);
    const report: FunnelReport = {
      report: 'funnel',
      period,
      by: 'channel',
      ...figures,
      breakdown: figures.breakdown?.map((b) => ({ ...b, name: b.key })),
    };
    const { blocks } = renderFunnel(report, { command: '/funnel', text: 'month by channel' });
    within(blocks);
    const byChannel = blocks
      .map((b) => (b.type === 'section' ? (b.text?.text ?? '') : ''))
      .find((t) => t.startsWith('*By channel*'))!;
    const shown = byChannel.split('\n').filter((l) => l.startsWith('channel-&lt;')).length;
    expect(shown).toBeGreaterThan(10);
    expect(byChannel).toContain(`…and ${2000 - shown} more (the API has every row)`);
    // Group names are escaped: a stranger's channel name cannot mention anyone.
    expect(byChannel).not.toContain('<');
  });

  it('an empty period shows "—" where a rate has nothing to divide', () => {
    const empty = funnelInputs();
    const { text, blocks } = renderFunnel({
      report: 'funnel',
      period,
      by: undefined,
      ...funnelFigures(empty, empty, (id) => id),
      breakdown: undefined,
    });
    const all = [text, ...blocks.map((b) => (b.type === 'section' ? (b.text?.text ?? '') : ''))].join('\n');
    expect(all).toContain('*Acceptance* — (—)');
    expect(all).toContain('_No rejections in the period._');
    expect(all).not.toMatch(/NaN|undefined|Infinity/);
    const v: VelocityReport = {
      report: 'velocity',
      period,
      by: 'rep',
      overall: { ...velocityFigures([]), overdueNow: 0 },
      previous: velocityFigures([]),
      changes: velocityChanges(velocityFigures([]), velocityFigures([])),
      groups: [],
      slowestReps: [],
    };
    const rv = renderVelocity(v);
    within(rv.blocks);
    expect(JSON.stringify(rv)).not.toMatch(/NaN|undefined|Infinity/);
    expect(JSON.stringify(rv)).toContain('_No decisions in the period._');
  });

  it('tables align right-hand figures; bars scale to the largest value', () => {
    expect(
      table(
        ['k', 'n'],
        [
          ['a', '1'],
          ['bb', '1,000'],
        ],
        ['l', 'r'],
      ),
    ).toBe('```\nk       n\na       1\nbb  1,000\n```');
    expect([bar(0, 10), bar(1, 10, 10), bar(10, 10, 10), bar(3, 0)]).toEqual(['', '█', '██████████', '']);
  });
});
