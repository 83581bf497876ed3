import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, REPO, spawnBaton, waitForStatus, type BatonProcess } from '../helpers/process.js';

describe('npm run build', () => {
  let baton: BatonProcess | undefined;
  afterAll(async () => {
    baton?.child.kill('SIGTERM');
    await baton?.exited;
  });

  it('compiles a Baton that runs with plain node and serves the sandbox page and its assets', async () => {
    execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'pipe' });
    const port = await freePort();
    baton = spawnBaton({ PORT: String(port), DATA_DIR: path.join(mkdtempSync(path.join(tmpdir(), 'baton-dist-')), 'pglite'), LOG_LEVEL: 'warn' }, [], 'dist');
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 30_000);
    for (const asset of ['/sandbox', '/sandbox/app.js', '/sandbox/app.css']) {
      const res = await fetch(`http://127.0.0.1:${port}${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.text()).length, asset).toBeGreaterThan(100);
    }
  }, 90_000);
});
