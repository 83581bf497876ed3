import { describe, expect, it } from 'vitest';
import { chartSvg, rasterize, renderChartPng } from '../../src/charts/render.js';
import { funnelChart, trendChart, velocityChart, CHART_WIDTH } from '../../src/charts/specs.js';
import { funnelSample, trendSample, velocitySample } from '../helpers/chart-data.js';

/* Charts as images: a PNG of the expected size, with real content, the same bytes every time. */

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const size = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

describe.each([
  ['funnel', funnelChart(funnelSample)],
  ['velocity', velocityChart(velocitySample(120))],
  ['trend', trendChart(trendSample())],
])('%s chart', (_name, chart) => {
  it('renders a PNG twice the layout size, wider than the plot, identical on a second render', async () => {
    const png = await renderChartPng(chart.spec);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const { width, height } = size(png);
    expect(width % 2).toBe(0);
    expect(width).toBeGreaterThan(CHART_WIDTH * 2);
    expect(width).toBeLessThan(CHART_WIDTH * 2 + 800);
    expect(height).toBeGreaterThan(200);
    expect((await renderChartPng(chart.spec)).equals(png)).toBe(true);
  });

  it('is not blank: text and marks in several colours on the opaque background', async () => {
    const image = await rasterize(await chartSvg(chart.spec));
    // resvg's `pixels` is a getter that copies the whole image: read it once.
    const pixels = image.pixels;
    const colours = new Set<number>();
    let opaque = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      colours.add(pixels.readUInt32BE(i));
      if (pixels[i + 3] === 255) opaque++;
    }
    expect(opaque).toBe(image.width * image.height);
    expect(colours.size).toBeGreaterThan(50);
  });

  it('draws its text with the bundled font, not a system one', async () => {
    expect(await chartSvg(chart.spec)).toContain('font-family="DejaVu Sans"');
  });
});
