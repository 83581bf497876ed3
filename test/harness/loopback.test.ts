import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../src/sandbox/loopback.js';

/* The stand-ins' HTTP server: requests held as hangs until close, a throwing handler answered 500. */

/** A GET that resolves with the status and body, or with the error that ended it. */
function get(url: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      resolve({ error: err.code ?? err.message });
    });
    req.end();
  });
}

describe('listenOnLoopback', () => {
  it('answers with the handler it serves, 500 with the text of what it throws', async () => {
    const loopback = await listenOnLoopback();
    loopback.serve((req, res) => {
      if (req.url === '/boom') return Promise.reject(new Error('boom'));
      res.end('fine');
      return Promise.resolve();
    });
    expect(loopback.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await get(`${loopback.base}/ok`)).toEqual({ status: 200, body: 'fine' });
    expect(await get(`${loopback.base}/boom`)).toEqual({ status: 500, body: 'Error: boom' });
    await loopback.close();
  });

  it('leaves held requests unanswered while others are answered, and drops them on close', async () => {
    const loopback = await listenOnLoopback();
    const order: string[] = [];
    let held = 0;
    loopback.serve((req, res) => {
      if (req.url === '/hang') {
        held += 1;
        loopback.hold(res);
      } else res.end('ok');
      return Promise.resolve();
    });
    const hanging = [get(`${loopback.base}/hang`), get(`${loopback.base}/hang`)].map((p) =>
      p.then((r) => {
        order.push('hang ended');
        return r;
      }),
    );
    expect(await get(`${loopback.base}/other`)).toEqual({ status: 200, body: 'ok' });
    order.push('other answered');
    await expect.poll(() => held).toBe(2);
    expect(order).toEqual(['other answered']);
    await loopback.close();
    expect(await Promise.all(hanging)).toEqual([{ error: 'ECONNRESET' }, { error: 'ECONNRESET' }]);
    expect(order).toEqual(['other answered', 'hang ended', 'hang ended']);
  });
});
