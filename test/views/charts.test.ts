import { describe, expect, it } from 'vitest';
import { funnelChart, trendChart, velocityChart } from '../../src/charts/specs.js';
import { funnelSample, trendSample, velocitySample } from '../helpers/chart-data.js';

/* Charts as data: which figures each spec draws, where the SLA line sits, what the alt text says. */

type Layer = {
  mark: { type: string };
  encoding: Record<string, { field?: string }>;
  data?: { values: Record<string, unknown>[] };
  transform?: unknown[];
};
const values = (spec: unknown): Record<string, unknown>[] =>
  (spec as { data: { values: Record<string, unknown>[] } }).data.values;

describe('funnel chart', () => {
  const chart = funnelChart(funnelSample);
  const layers = (chart.spec as unknown as { layer: Layer[] }).layer;

  it("draws each step's count over a ghost bar of the previous period, in funnel order", () => {
    expect(values(chart.spec).map((v) => [v.step, v.count, v.previous, v.order])).toEqual([
      ['Leads', 310, 280, 0],
      ['MQLs', 120, 100, 1],
      ['Accepted', 80, 70, 2],
      ['SQLs', 30, 35, 3],
      ['Opportunities', 12, 9, 4],
      ['Customers', 4, 3, 5],
    ]);
    expect(layers.map((l) => [l.mark.type, l.encoding.x?.field])).toEqual([
      ['bar', 'previous'],
      ['bar', 'count'],
      ['text', 'count'],
    ]);
  });

  it('labels each step after MQLs with its cohort conversion, a share of the MQLs', () => {
    expect(values(chart.spec).map((v) => v.label)).toEqual([
      '310',
      '120',
      '80  (66.7 % of MQLs)',
      '30  (25.0 % of MQLs)',
      '12  (10.0 % of MQLs)',
      '4  (3.3 % of MQLs)',
    ]);
  });

  it('names the period and zone in the title and carries every figure in the alt text', () => {
    expect(chart.title).toBe('Funnel · week 48 2026');
    expect(JSON.stringify((chart.spec as { title?: unknown }).title)).toContain('Europe/Stockholm');
    expect(chart.alt).toBe(
      'Funnel · week 48 2026 (Europe/Stockholm): Leads 310 (previous 280); MQLs 120 (previous 100); Accepted 80 (previous 70, 66.7 % conversion); SQLs 30 (previous 35, 25.0 % conversion); Opportunities 12 (previous 9, 10.0 % conversion); Customers 4 (previous 3, 3.3 % conversion).',
    );
  });
});

describe('velocity chart', () => {
  const data = {
    ...velocitySample(0),
    decisions: [
      { rep: 'Ana', businessHours: 1, withinSla: true },
      { rep: 'Ana', businessHours: 6, withinSla: false },
      { rep: 'Bo', businessHours: 2.5, withinSla: true },
    ],
  };
  const chart = velocityChart(data);
  const panels = (chart.spec as unknown as { vconcat: { layer: Layer[] }[] }).vconcat;

  it('draws a histogram and a dot per decision per rep, coloured by its own SLA outcome', () => {
    expect(values(chart.spec)).toEqual([
      { rep: 'Ana', hours: 1, sla: 'within SLA' },
      { rep: 'Ana', hours: 6, sla: 'outside SLA' },
      { rep: 'Bo', hours: 2.5, sla: 'within SLA' },
    ]);
    expect(panels.map((p) => p.layer[0]!.mark.type)).toEqual(['bar', 'circle']);
    expect(panels[1]!.layer[0]!.encoding.y?.field).toBe('rep');
  });

  it('puts the SLA line at the target on both panels', () => {
    for (const p of panels) {
      const rule = p.layer.find((l) => l.mark.type === 'rule');
      expect(rule?.data?.values).toEqual([{ target: 4, label: 'SLA 4.0 h' }]);
    }
    expect(velocityChart({ ...data, slaTargetHours: undefined }).spec).not.toHaveProperty('vconcat.0.layer.1');
  });

  it('says the key figures in the alt text', () => {
    expect(chart.alt).toBe(
      'Velocity · month November 2026 (Europe/Stockholm): 3 decisions, 2 within SLA, median 2.5 h in business hours, SLA target 4.0 h.',
    );
  });
});

describe('trend chart', () => {
  it('draws twelve weeks of MQLs and leaves a week without a rate out of the line instead of drawing 0 %', () => {
    const sample = trendSample();
    const weeks = sample.weeks.map((w, i) =>
      i === 3 ? { ...w, acceptanceRate: undefined, slaCompliance: undefined } : w,
    );
    const chart = trendChart({ ...sample, weeks });
    const rows = values(chart.spec);
    expect(rows).toHaveLength(12);
    expect(rows.map((r) => r.mqls)).toEqual(sample.weeks.map((w) => w.mqls));
    expect(rows[3]).toMatchObject({ acceptance: null, 'within SLA': null });
    const line = (chart.spec as unknown as { layer: Layer[] }).layer[1]!;
    expect(line.transform).toEqual([
      { fold: ['acceptance', 'within SLA'], as: ['series', 'rate'] },
      { filter: 'datum.rate != null' },
    ]);
    expect(chart.alt).toContain(`MQLs per week ${sample.weeks.map((w) => w.mqls).join(', ')}`);
  });
});
