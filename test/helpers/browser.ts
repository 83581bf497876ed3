import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Chromium from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/*
 * The browser for the sandbox test, with nothing to install beyond `npm ci`: @sparticuz/chromium
 * ships a Chromium build for Linux x64 inside the npm package (unpacked into the temp folder on
 * first use; it needs the system's NSS, libnss3, found on most Linux desktops and CI images).
 * It has no build for macOS or ARM; there a system Chromium is used: CHROMIUM_PATH, else the
 * usual install locations.
 */
const SYSTEM_CHROMIUMS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export async function launchChromium(): Promise<Browser> {
  if (process.platform === 'linux' && process.arch === 'x64') {
    const executablePath = await Chromium.executablePath();
    // The package's fonts, not the machine's, so pages (and screenshots) look the same everywhere.
    const env = { ...process.env, FONTCONFIG_PATH: path.join(tmpdir(), 'fonts') };
    return chromium.launch({ executablePath, args: Chromium.args, env });
  }
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : SYSTEM_CHROMIUMS;
  const executablePath = candidates.find((p) => existsSync(p));
  // No silent skip: say what is missing.
  if (executablePath === undefined)
    throw new Error(
      `@sparticuz/chromium has no build for ${process.platform}/${process.arch}: install Chromium and set CHROMIUM_PATH (looked in ${candidates.join(', ')})`,
    );
  return chromium.launch({ executablePath, args: ['--headless', '--disable-background-networking'] });
}
