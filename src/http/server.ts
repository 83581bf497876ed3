import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { HttpLimits } from '../config/env.js';
import type { Logger } from '../log.js';
import { HttpError, toEnvelope } from './errors.js';

export interface HttpResult {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** A body sent as it is produced (an export): chunks written as the client takes them. */
  stream?: AsyncIterable<string>;
}

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handle(req: IncomingMessage, url: URL): Promise<HttpResult>;
}

/** A path whose requests another listener answers itself (Bolt's, for Slack), for these methods only. */
export interface Mount {
  path: string;
  methods: readonly Route['method'][];
  listener: RequestListener;
}

// Node looks for expired headers and request timeouts this often (its default is every 30 s).
const TIMEOUT_CHECK_MS = 1_000;
const DROP_REPORT_MS = 1_000;

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Streams the body; once the head is sent a failure can only cut the response, so it is logged and the socket closed. */
async function sendStream(
  res: ServerResponse,
  result: HttpResult & { stream: AsyncIterable<string> },
  logger: Logger,
): Promise<void> {
  res.writeHead(result.status, { 'content-type': result.contentType ?? 'application/octet-stream', ...result.headers });
  try {
    for await (const chunk of result.stream) {
      if (!res.write(chunk)) await drainedOrClosed(res);
      if (res.destroyed) return;
    }
    res.end();
  } catch (err) {
    logger.error({ err }, 'streamed response failed');
    res.destroy();
  }
}

function send(res: ServerResponse, result: HttpResult): void {
  if (res.headersSent) return;
  const body = result.json !== undefined ? JSON.stringify(result.json) : (result.text ?? '');
  const type =
    result.contentType ?? (result.json !== undefined ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
  res.writeHead(result.status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...result.headers });
  res.end(body);
}

/** The methods a path answers: HEAD wherever GET is (Node sends no body for it), OPTIONS everywhere. */
function allowed(methods: readonly string[]): string {
  return [...new Set([...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'])].join(', ');
}

type Handler = Pick<Route, 'handle'>;

/**
 * What answers this request: a route's handler, a mount's listener, or an error (404, or 405
 * naming the methods the path takes). OPTIONS is answered with those methods; HEAD is GET
 * without its body.
 */
function resolve(routes: readonly Route[], mounts: readonly Mount[], req: IncomingMessage, url: URL): Handler | Mount {
  const mount = mounts.find((m) => m.path === url.pathname);
  const methods = mount ? mount.methods : routes.filter((r) => r.path === url.pathname).map((r) => r.method);
  if (methods.length === 0) throw new HttpError(404, 'not_found', `No route ${url.pathname}.`);
  const allow = allowed(methods);
  if (req.method === 'OPTIONS') return { handle: () => Promise.resolve({ status: 204, headers: { allow } }) };
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  if (!methods.some((m) => m === method))
    throw new HttpError(405, 'method_not_allowed', `Use ${allow} for ${url.pathname}.`, undefined, { allow });
  return mount ?? routes.find((r) => r.path === url.pathname && r.method === method)!;
}

/**
 * One server for Slack and for our own API. Bolt's custom routes give no body parsing, no size
 * limit and leave a rejected async handler hanging, so our routes live here and only Slack's
 * POSTs reach the receiver's request listener (which throws on any other method). Whatever a
 * handler throws, synchronously or not, is answered for that request and never ends the process.
 */
export function createHttpServer(opts: {
  routes: readonly Route[];
  mounts?: readonly Mount[];
  limits: HttpLimits;
  logger: Logger;
}): Server {
  const { routes, mounts = [], limits, logger } = opts;

  function fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    const where = { method: req.method, path: (req.url ?? '').split('?')[0] };
    if (req.socket.destroyed) {
      // The client left, or Node cut it off (a timeout): reading its body failed because of that.
      logger.info(where, 'connection closed before the answer');
      return;
    }
    const envelope = toEnvelope(err);
    if (envelope.log) logger[envelope.log.level]({ ...envelope.log.fields, ...where }, 'request failed');
    // A body still arriving (refused, or not read because of the failure): close rather than read it all.
    if (!req.complete) res.setHeader('connection', 'close');
    send(res, {
      status: envelope.status,
      json: envelope.body,
      ...(envelope.headers ? { headers: envelope.headers } : {}),
    });
  }

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
    },
    (req, res) => {
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const target = resolve(routes, mounts, req, url);
        if ('listener' in target) {
          target.listener(req, res);
          return;
        }
        target.handle(req, url).then(
          (result) => {
            if (result.stream) void sendStream(res, { ...result, stream: result.stream }, logger);
            else send(res, result);
          },
          (err: unknown) => {
            fail(req, res, err);
          },
        );
      } catch (err) {
        fail(req, res, err);
      }
    },
  );
  // Beyond the cap, Node closes a new connection at once: a flood cannot exhaust memory or descriptors.
  server.maxConnections = limits.maxConnections;
  // One line per burst of refusals rather than one per connection, so a flood cannot flood the log too.
  let dropped = 0;
  server.on('drop', () => {
    if (dropped++ > 0) return;
    setTimeout(() => {
      logger.warn(
        { dropped, maxConnections: limits.maxConnections },
        'connections refused: HTTP_MAX_CONNECTIONS were open',
      );
      dropped = 0;
    }, DROP_REPORT_MS).unref();
  });
  return server;
}
