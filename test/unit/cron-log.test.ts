import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startCron } from '../../src/services/jobs.js';

/*
 * node-cron's own warnings go through Baton's logger: JSON lines with the job's name, never
 * node-cron's coloured "[NODE-CRON] [WARN]" text on the console.
 */
describe('node-cron warnings', () => {
  it('a run still going at the next tick is logged as JSON with the job, not printed as text', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const warn = vi.spyOn(console, 'warn');
    let release = (): void => undefined;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runner = startCron(
      [{ name: 'slow-job', cron: '* * * * * *', timeZone: 'UTC', run: () => blocked }],
      { now: () => new Date() },
      createLogger('info', sink),
    );
    try {
      await vi.waitFor(
        () => {
          expect(lines.some((l) => l.includes('task still running'))).toBe(true);
        },
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      release();
      await runner.stop();
      warn.mockRestore();
    }
    const line = JSON.parse(lines.find((l) => l.includes('task still running'))!) as {
      level: number;
      job: string;
      msg: string;
    };
    expect(line).toMatchObject({
      level: 40,
      job: 'slow-job',
      msg: expect.stringMatching(/^node-cron: task still running/) as unknown,
    });
    expect(warn.mock.calls.flat().join('\n')).not.toContain('NODE-CRON');
  });
});
