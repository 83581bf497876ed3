import type { FunnelChartData, TrendChartData, VelocityChartData } from '../../src/charts/specs.js';
import { prng } from '../../src/sandbox/prng.js';

/* Known figures for the chart tests and bench:charts: a week's funnel, a month of decisions, a quarter of weeks. */

export const funnelSample: FunnelChartData = {
  period: 'week 48 2026',
  timeZone: 'Europe/Stockholm',
  steps: [
    { label: 'Leads', count: 310, previous: 280, conversion: undefined },
    { label: 'MQLs', count: 120, previous: 100, conversion: undefined },
    { label: 'Accepted', count: 80, previous: 70, conversion: 0.667 },
    { label: 'SQLs', count: 30, previous: 35, conversion: 0.25 },
    { label: 'Opportunities', count: 12, previous: 9, conversion: 0.1 },
    { label: 'Customers', count: 4, previous: 3, conversion: 0.033 },
  ],
};

export function velocitySample(decisions = 140, seed = 7): VelocityChartData {
  const random = prng(seed);
  const reps = ['Ana Lind', 'Bo Ek', 'Cecilia Ström', 'Dag Nyström'];
  return {
    period: 'month November 2026',
    timeZone: 'Europe/Stockholm',
    slaTargetHours: 4,
    decisions: Array.from({ length: decisions }, (_, i) => {
      const h = random() ** 2 * 9;
      return { rep: reps[i % reps.length]!, businessHours: h, withinSla: h <= 4 };
    }),
  };
}

export function trendSample(seed = 11): TrendChartData {
  const random = prng(seed);
  const monday = Date.UTC(2026, 8, 7);
  return {
    timeZone: 'Europe/Stockholm',
    weeks: Array.from({ length: 12 }, (_, i) => ({
      week: new Date(monday + i * 7 * 86_400_000).toISOString().slice(0, 10),
      mqls: 80 + Math.round(random() * 60),
      acceptanceRate: 0.5 + random() * 0.3,
      slaCompliance: 0.7 + random() * 0.25,
    })),
  };
}
