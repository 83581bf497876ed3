import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_FONT } from './specs.js';

/*
 * Spec → SVG (Vega, headless: no canvas, no browser) → PNG (resvg, a prebuilt binary inside its
 * npm package). The only font is DejaVu Sans from the `dejavu-fonts-ttf` package and system fonts
 * are never loaded, so the same figures give the same bytes on every machine. The libraries are
 * loaded on the first chart, not at start-up: most processes never draw one, and they are large.
 */

const libraries = async () => {
  const [vega, vegaLite, resvg] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  return { parse: vega.parse, View: vega.View, compile: vegaLite.compile, Resvg: resvg.Resvg };
};
let loaded: ReturnType<typeof libraries> | undefined;
const lib = (): ReturnType<typeof libraries> => (loaded ??= libraries());

const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT_FILES = [join(fontDir, 'DejaVuSans.ttf'), join(fontDir, 'DejaVuSans-Bold.ttf')];

/** Twice the layout size: sharp on high-density screens, still small (tens of kB). */
const SCALE = 2;

export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const { View, parse, compile } = await lib();
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The SVG as RGBA pixels, at twice its size. */
export async function rasterize(
  svg: string,
): Promise<{ readonly width: number; readonly height: number; readonly pixels: Buffer; asPng(): Buffer }> {
  const { Resvg } = await lib();
  return new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    fitTo: { mode: 'zoom', value: SCALE },
  }).render();
}

export async function renderChartPng(spec: TopLevelSpec): Promise<Buffer> {
  return (await rasterize(await chartSvg(spec))).asPng();
}
