import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CHART_FONT } from './specs.js';

/*
 * Spec → SVG (Vega, headless: no canvas, no browser) → PNG (resvg, a prebuilt binary inside its
 * npm package). The only font is DejaVu Sans from the `dejavu-fonts-ttf` package and system fonts
 * are never loaded, so the same figures give the same bytes on every machine.
 */

const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT_FILES = [join(fontDir, 'DejaVuSans.ttf'), join(fontDir, 'DejaVuSans-Bold.ttf')];

/** Twice the layout size: sharp on high-density screens, still small (tens of kB). */
const SCALE = 2;

export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The SVG as RGBA pixels, at twice its size. */
export function rasterize(svg: string): { readonly width: number; readonly height: number; readonly pixels: Buffer; asPng(): Buffer } {
  return new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    fitTo: { mode: 'zoom', value: SCALE },
  }).render();
}

export async function renderChartPng(spec: TopLevelSpec): Promise<Buffer> {
  return rasterize(await chartSvg(spec)).asPng();
}
