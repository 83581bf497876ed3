import { funnelChart, trendChart, velocityChart, type Chart } from '../../src/charts/specs.js';
import { renderChartPng } from '../../src/charts/render.js';
import { funnelSample, trendSample, velocitySample } from '../helpers/chart-data.js';
import { percentile, rssOf } from './measure.js';

/*
 * bench:charts: renders each report chart (spec → SVG → PNG) ROUNDS times in this process, after
 * one warm-up each, and prints render time p50/p99 per chart and over all, and peak RSS.
 * Target: under 200 ms a chart.
 */

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);

async function main(): Promise<void> {
  const charts: [string, Chart][] = [
    ['funnel', funnelChart(funnelSample)],
    ['velocity (500 decisions)', velocityChart(velocitySample(500))],
    ['trend (12 weeks)', trendChart(trendSample())],
  ];
  const all: number[] = [];
  const lines: string[] = [];
  for (const [name, chart] of charts) {
    const png = await renderChartPng(chart.spec);
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      await renderChartPng(chart.spec);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    lines.push(
      `${name}: p50 ${percentile(times, 0.5).toFixed(0)} ms, p99 ${percentile(times, 0.99).toFixed(0)} ms (${(png.length / 1024).toFixed(0)} KiB PNG)`,
    );
  }
  all.sort((a, b) => a - b);
  console.log(
    `machine: ${process.env.BENCH_MACHINE ?? 'this machine'}, node ${process.version}, ${ROUNDS} renders per chart after one warm-up`,
  );
  for (const l of lines) console.log(l);
  console.log(
    `all charts: p50 ${percentile(all, 0.5).toFixed(0)} ms, p99 ${percentile(all, 0.99).toFixed(0)} ms (target < 200 ms)`,
  );
  console.log(`peak RSS: ${(rssOf(process.pid) / 1024 / 1024).toFixed(0)} MiB`);
}

await main();
