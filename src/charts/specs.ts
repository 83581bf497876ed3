import type { TopLevelSpec } from 'vega-lite';

/*
 * Report charts as Vega-Lite specs: plain data in, a declarative spec out, so a chart is tested
 * as data (which figures it draws, where the SLA line sits) apart from the pixels. One theme for
 * every chart: an opaque dark-grey card with light text reads the same in Slack's light and dark
 * modes (a transparent PNG with dark text disappears in dark mode). The font is the one the
 * renderer ships (DejaVu Sans), so text measures the same on every machine.
 */

export const CHART_FONT = 'DejaVu Sans';
export const CHART_WIDTH = 640;

const THEME = {
  background: '#1f2329',
  text: '#e8eaed',
  muted: '#9aa0a6',
  grid: '#3c4043',
  current: '#4fc3f7',
  ghost: '#5f6368',
  late: '#ff8a65',
  sla: '#fdd663',
} as const;

export interface Chart {
  /** Also the uploaded file's title. */
  readonly title: string;
  /** The key figures in words, for screen readers (Slack's alt text). */
  readonly alt: string;
  readonly spec: TopLevelSpec;
}

export interface FunnelChartStep {
  readonly label: string;
  readonly count: number;
  readonly previous: number;
  /** Cohort conversion: the share of the period's MQLs (handoffs started) that reached this step by now (0–1); undefined before MQLs. */
  readonly conversion: number | undefined;
}

export interface FunnelChartData {
  /** e.g. "week 48 2026"; the zone is added to the title. */
  readonly period: string;
  readonly timeZone: string;
  readonly steps: readonly FunnelChartStep[];
}

export interface VelocityChartDecision {
  readonly rep: string;
  readonly businessHours: number;
  readonly withinSla: boolean;
}

export interface VelocityChartData {
  readonly period: string;
  readonly timeZone: string;
  readonly decisions: readonly VelocityChartDecision[];
  /** The SLA target most decisions were held to, in business hours; the line drawn. */
  readonly slaTargetHours: number | undefined;
}

export interface TrendWeek {
  /** Monday of the week, ISO date. */
  readonly week: string;
  readonly mqls: number;
  readonly acceptanceRate: number | undefined;
  readonly slaCompliance: number | undefined;
}

export interface TrendChartData {
  readonly timeZone: string;
  readonly weeks: readonly TrendWeek[];
}

const percent = (x: number | undefined): string => (x === undefined ? 'no figure' : `${(x * 100).toFixed(1)} %`);
const hours = (h: number): string => (h < 10 ? `${h.toFixed(1)} h` : `${Math.round(h)} h`);

function config(): NonNullable<Extract<TopLevelSpec, { config?: unknown }>['config']> {
  return {
    font: CHART_FONT,
    background: THEME.background,
    padding: 16,
    view: { stroke: null },
    title: {
      color: THEME.text,
      fontSize: 16,
      fontWeight: 'bold',
      anchor: 'start',
      subtitleColor: THEME.muted,
      subtitleFontSize: 12,
      offset: 12,
    },
    axis: {
      labelColor: THEME.text,
      titleColor: THEME.muted,
      gridColor: THEME.grid,
      domainColor: THEME.grid,
      tickColor: THEME.grid,
      labelFontSize: 12,
      titleFontSize: 12,
      titleFontWeight: 'normal',
    },
    legend: { labelColor: THEME.text, titleColor: THEME.muted, labelFontSize: 12, orient: 'top' },
    text: { color: THEME.text, fontSize: 12 },
  };
}

/** Horizontal bars per step, the previous period as a ghost bar behind, conversion beside each. */
export function funnelChart(data: FunnelChartData): Chart {
  const title = `Funnel · ${data.period}`;
  const rows = data.steps.map((s, i) => ({
    order: i,
    step: s.label,
    count: s.count,
    previous: s.previous,
    label: s.conversion === undefined ? `${s.count}` : `${s.count}  (${percent(s.conversion)} of MQLs)`,
  }));
  const max = Math.max(1, ...data.steps.flatMap((s) => [s.count, s.previous]));
  const y = {
    field: 'step',
    type: 'nominal' as const,
    sort: rows.map((r) => r.step),
    title: null,
    axis: { labelLimit: 140 },
  };
  const x = {
    type: 'quantitative' as const,
    title: 'leads (ghost bar: previous period)',
    scale: { domain: [0, max * 1.45] },
    axis: { tickCount: 6 },
  };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      subtitle: `beside each step: the share of the period's MQLs that reached it · ${data.timeZone}`,
    },
    width: CHART_WIDTH,
    height: Math.max(120, 36 * rows.length),
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar', color: THEME.ghost, opacity: 0.55, cornerRadiusEnd: 2 },
        encoding: { y, x: { ...x, field: 'previous' } },
      },
      {
        mark: { type: 'bar', color: THEME.current, height: 14, cornerRadiusEnd: 2 },
        encoding: { y, x: { ...x, field: 'count' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 6 },
        encoding: { y, x: { ...x, field: 'count' }, text: { field: 'label' } },
      },
    ],
    config: config(),
  };
  const alt = `${title} (${data.timeZone}): ${data.steps
    .map(
      (s) =>
        `${s.label} ${s.count} (previous ${s.previous}${s.conversion === undefined ? '' : `, ${percent(s.conversion)} conversion`})`,
    )
    .join('; ')}.`;
  return { title, alt, spec };
}

/**
 * Time to decision: a histogram of every decision's business hours coloured by whether it met its
 * own SLA, and per rep a dot per decision; both with the SLA line most decisions were held to.
 */
export function velocityChart(data: VelocityChartData): Chart {
  const title = `Velocity · ${data.period}`;
  const values = data.decisions.map((d) => ({
    rep: d.rep,
    hours: Math.round(d.businessHours * 100) / 100,
    sla: d.withinSla ? 'within SLA' : 'outside SLA',
  }));
  const within = data.decisions.filter((d) => d.withinSla).length;
  const sorted = data.decisions.map((d) => d.businessHours).sort((a, b) => a - b);
  const median = sorted.length === 0 ? undefined : sorted[Math.ceil(sorted.length / 2) - 1];
  const max = Math.max(1, (data.slaTargetHours ?? 0) * 1.2, ...sorted);
  const x = {
    field: 'hours',
    type: 'quantitative' as const,
    title: 'business hours to decision',
    scale: { domain: [0, max], nice: false },
  };
  const color = {
    field: 'sla',
    type: 'nominal' as const,
    title: null,
    scale: { domain: ['within SLA', 'outside SLA'], range: [THEME.current, THEME.late] },
  };
  const slaLayer =
    data.slaTargetHours === undefined
      ? []
      : [
          {
            data: { values: [{ target: data.slaTargetHours, label: `SLA ${hours(data.slaTargetHours)}` }] },
            mark: { type: 'rule' as const, color: THEME.sla, strokeDash: [6, 4], strokeWidth: 2 },
            encoding: { x: { field: 'target', type: 'quantitative' as const } },
          },
        ];
  const reps = new Set(data.decisions.map((d) => d.rep)).size;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      subtitle: `${data.decisions.length} decisions · ${percent(data.decisions.length === 0 ? undefined : within / data.decisions.length)} within SLA · ${data.timeZone}`,
    },
    data: { values },
    vconcat: [
      {
        width: CHART_WIDTH,
        height: 160,
        layer: [
          {
            mark: { type: 'bar', binSpacing: 1 },
            encoding: {
              x: { ...x, bin: { maxbins: 30, extent: [0, max] } },
              y: { aggregate: 'count', type: 'quantitative', title: 'decisions' },
              color,
            },
          },
          ...slaLayer,
        ],
      },
      {
        width: CHART_WIDTH,
        height: Math.max(60, 22 * reps),
        layer: [
          {
            mark: { type: 'circle', size: 60, opacity: 0.8 },
            encoding: { x, y: { field: 'rep', type: 'nominal', title: null, axis: { labelLimit: 140 } }, color },
          },
          ...slaLayer,
        ],
      },
    ],
    config: config(),
  };
  const alt = `${title} (${data.timeZone}): ${data.decisions.length} decisions, ${within} within SLA${median === undefined ? '' : `, median ${hours(median)} in business hours`}${data.slaTargetHours === undefined ? '' : `, SLA target ${hours(data.slaTargetHours)}`}.`;
  return { title, alt, spec };
}

/** Twelve weeks: MQLs as bars (left axis), acceptance and SLA compliance as lines (right axis). */
export function trendChart(data: TrendChartData): Chart {
  const first = data.weeks[0]?.week ?? '';
  const last = data.weeks.at(-1)?.week ?? '';
  const title = `Last ${data.weeks.length} weeks`;
  const values = data.weeks.map((w) => ({
    week: w.week,
    mqls: w.mqls,
    acceptance: w.acceptanceRate ?? null,
    'within SLA': w.slaCompliance ?? null,
  }));
  const x = {
    field: 'week',
    type: 'ordinal' as const,
    sort: 'ascending' as const,
    title: 'week starting',
    axis: { labelAngle: -40 },
  };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      subtitle: `MQLs per week (bars), acceptance and within-SLA rates (lines) · ${data.timeZone}`,
    },
    width: CHART_WIDTH,
    height: 220,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: THEME.ghost },
        encoding: { x, y: { field: 'mqls', type: 'quantitative', title: 'MQLs' } },
      },
      {
        // A week without decisions has no rate: left out of the line, never drawn as 0 %.
        transform: [{ fold: ['acceptance', 'within SLA'], as: ['series', 'rate'] }, { filter: 'datum.rate != null' }],
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x,
          y: {
            field: 'rate',
            type: 'quantitative',
            title: 'rate',
            scale: { domain: [0, 1] },
            axis: { format: '.0%', orient: 'right' },
          },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: ['acceptance', 'within SLA'], range: [THEME.current, THEME.sla] },
          },
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
    config: config(),
  };
  const lastWeek = data.weeks.at(-1);
  const alt = `${title} (weeks starting ${first} to ${last}, ${data.timeZone}): MQLs per week ${data.weeks.map((w) => w.mqls).join(', ')}${lastWeek ? `; last week acceptance ${percent(lastWeek.acceptanceRate)}, within SLA ${percent(lastWeek.slaCompliance)}` : ''}.`;
  return { title, alt, spec };
}
