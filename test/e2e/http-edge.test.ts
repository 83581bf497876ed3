import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_LIMITS } from '../../src/config/env.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { INTAKE_TOKEN } from '../helpers/app.js';
import { hasServer, scratchServerDatabase } from '../helpers/db.js';
import { batonEnv, freePort, spawnBaton, waitForStatus, type BatonProcess } from '../helpers/process.js';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin.js';

/*
 * docs/delivery.md (the guarantees): no request can stop the process. The real entry point runs as a child process (as
 * `npm start` does) with short timeouts and a small connection cap, and is sent every method on
 * every path, a body that never ends and more connections than it takes.
 */

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on a connection of its own (closed after), so no pooled connection outlives a test. */
function send(
  port: number,
  method: string,
  pathname: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: pathname, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => {
        text += d.toString();
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a raw connection and resolves once it is connected. */
function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything the server wrote before it closed the connection, and when it closed it. */
function untilClosed(socket: Socket): Promise<{ data: string; closedAt: number }> {
  return new Promise((resolve) => {
    let data = '';
    socket.on('data', (d: Buffer) => {
      data += d.toString();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve({ data, closedAt: Date.now() });
    });
  });
}

const REQUEST_TIMEOUT_MS = 3_000;
const MAX_CONNECTIONS = 4;

describe('every request gets an answer and the process survives (child process)', () => {
  let slack: SlackStandIn;
  let baton: BatonProcess;
  let port: number;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    slack = await startSlackStandIn();
    port = await freePort();
    // The server database starts in a second; PGlite's start-up is the slow part on a busy machine.
    let database: Record<string, string>;
    if (hasServer) {
      const scratch = await scratchServerDatabase('baton_edge');
      database = { DATABASE_URL: scratch.url };
      cleanup = () => scratch.drop();
    } else {
      const dir = mkdtempSync(path.join(tmpdir(), 'baton-edge-'));
      database = { DATA_DIR: path.join(dir, 'db') };
      cleanup = () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      };
    }
    baton = spawnBaton(
      batonEnv(slack.url, port, {
        HTTP_HEADERS_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
        HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
        ...database,
      }),
    );
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 110_000);
  }, 120_000);

  afterAll(async () => {
    baton.child.kill('SIGKILL');
    await baton.exited;
    await cleanup();
    await slack.close();
  });

  const alive = async (): Promise<void> => {
    expect(baton.child.exitCode).toBeNull();
    expect((await send(port, 'GET', '/healthz')).status).toBe(200);
  };

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])(
    '%s /slack/events is 405 with Allow and the error envelope',
    async (method) => {
      const answer = await send(
        port,
        method,
        '/slack/events',
        { 'content-type': 'application/json' },
        method === 'GET' ? undefined : '{}',
      );
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('POST, OPTIONS');
      expect(JSON.parse(answer.body)).toEqual({
        error: { code: 'method_not_allowed', message: 'Use POST, OPTIONS for /slack/events.' },
      });
      await alive();
    },
  );

  it('HEAD /slack/events is 405 (no body, as HEAD has none); OPTIONS is 204 with Allow', async () => {
    const head = await send(port, 'HEAD', '/slack/events');
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('POST, OPTIONS');
    const options = await send(port, 'OPTIONS', '/slack/events');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('POST, OPTIONS');
    await alive();
  });

  it('a POST to /slack/events still reaches Slack signature checking', async () => {
    expect((await send(port, 'POST', '/slack/events', { 'content-type': 'application/json' }, '{}')).status).toBe(401);
    await alive();
  });

  it.each([
    ['GET', '/api/leads', 405],
    ['PUT', '/api/leads/import', 405],
    ['DELETE', '/api/reports/funnel', 405],
    ['PATCH', '/readyz', 405],
    ['GET', '/nope', 404],
    ['DELETE', '/', 404],
    ['PUT', '/slack/events/extra', 404],
    ['OPTIONS', '/nope', 404],
  ])('%s %s is %i with the error envelope', async (method, pathname, status) => {
    const answer = await send(port, method, pathname);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body)).toMatchObject({
      error: { code: status === 404 ? 'not_found' : 'method_not_allowed' },
    });
    if (status === 405) expect(answer.headers.allow).toMatch(/OPTIONS$/);
    await alive();
  });

  it('a request Node cannot parse is 400 and the process stays up', async () => {
    const socket = await openSocket(port);
    const closed = untilClosed(socket);
    socket.write('HELLO /slack/events\r\n\r\n');
    expect((await closed).data).toMatch(/^HTTP\/1\.1 400/);
    await alive();
  });

  it(`a body that never ends is cut off within the request timeout (${REQUEST_TIMEOUT_MS} ms)`, async () => {
    for (const pathname of ['/api/leads', '/slack/events']) {
      const socket = await openSocket(port);
      const closed = untilClosed(socket);
      const started = Date.now();
      socket.write(
        `POST ${pathname} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${INTAKE_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"source": "web", "email": "`,
      );
      const { data, closedAt } = await closed;
      // Node answers 408 unless the handler already answered; either way the connection is closed.
      if (data !== '') expect(data).toMatch(/^HTTP\/1\.1 408/);
      // Node checks for expired requests every second; the generous bound is for a busy machine
      // (without the setting, this connection would be held for minutes).
      expect(closedAt - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(closedAt - started).toBeLessThan(REQUEST_TIMEOUT_MS + 10_000);
    }
    // A client cut off is not a failure of ours (nor an unreachable database).
    expect(baton.output()).not.toMatch(/"msg":"request failed"/);
    await alive();
  });

  it(`takes at most ${MAX_CONNECTIONS} connections at once and serves again once they close`, async () => {
    // Each held open by a request whose headers never finish (cut by the headers timeout).
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => openSocket(port)));
    for (const s of held) s.write('GET /healthz HTTP/1.1\r\n');
    const heldClosed = held.map((s) => untilClosed(s));
    const extra = await openSocket(port);
    const extraClosed = untilClosed(extra);
    extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    // Refused: closed without an answer, while the others are still open.
    expect((await extraClosed).data).toBe('');
    expect(held.every((s) => !s.destroyed)).toBe(true);
    for (const s of held) s.destroy();
    await Promise.all(heldClosed);
    await waitForStatus(`http://127.0.0.1:${port}/healthz`, 200, 5_000);
    await alive();
    // The operator hears of it, once for the burst; on a busy machine the health check above can
    // arrive before the held sockets are closed on the server's side and be counted with it.
    await expect
      .poll(() => baton.output(), { timeout: 10_000 })
      .toMatch(/"dropped":[12],"maxConnections":4,"msg":"connections refused: HTTP_MAX_CONNECTIONS were open"/);
  });
});

describe('a handler that throws', () => {
  it('is a 500 for that request, logged, and the server goes on answering', async () => {
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    const server = createHttpServer({
      routes: [
        {
          method: 'GET',
          path: '/throws',
          handle: () => {
            throw new Error('sync boom');
          },
        },
        { method: 'GET', path: '/rejects', handle: () => Promise.reject(new Error('async boom')) },
        { method: 'GET', path: '/fine', handle: () => Promise.resolve({ status: 200, json: { ok: true } }) },
      ],
      mounts: [
        {
          path: '/mounted',
          methods: ['POST'],
          listener: () => {
            throw new Error('listener boom');
          },
        },
      ],
      limits: DEFAULT_HTTP_LIMITS,
      logger: createLogger('warn', sink),
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        resolve();
      }),
    );
    const { port } = server.address() as { port: number };
    try {
      for (const [method, pathname] of [
        ['GET', '/throws'],
        ['GET', '/rejects'],
        ['POST', '/mounted'],
      ] as const) {
        const answer = await send(port, method, pathname);
        expect(answer.status).toBe(500);
        expect(JSON.parse(answer.body)).toEqual({
          error: { code: 'internal', message: 'Something went wrong on our side; it has been logged.' },
        });
      }
      expect((await send(port, 'GET', '/fine')).status).toBe(200);
      const failures = logs
        .map((l) => JSON.parse(l) as { msg: string; err?: { message: string } })
        .filter((l) => l.msg === 'request failed');
      expect(failures.map((l) => l.err?.message)).toEqual(['sync boom', 'async boom', 'listener boom']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
