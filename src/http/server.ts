import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
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
async function sendStream(res: ServerResponse, result: HttpResult & { stream: AsyncIterable<string> }, logger: Logger): Promise<void> {
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
  const type = result.contentType ?? (result.json !== undefined ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
  res.writeHead(result.status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...result.headers });
  res.end(body);
}

async function dispatch(routes: readonly Route[], req: IncomingMessage, url: URL): Promise<HttpResult> {
  const onPath = routes.filter((r) => r.path === url.pathname);
  if (onPath.length === 0) throw new HttpError(404, 'not_found', `No route ${url.pathname}.`);
  const route = onPath.find((r) => r.method === req.method);
  if (!route) {
    const allowed = onPath.map((r) => r.method).join(', ');
    throw new HttpError(405, 'method_not_allowed', `Use ${allowed} for ${url.pathname}.`);
  }
  return route.handle(req, url);
}

/**
 * One server for Slack and for our own API. Bolt's custom routes give no body parsing, no size
 * limit and leave a rejected async handler hanging, so our routes live here and only Slack
 * traffic goes to the receiver's request listener.
 */
export function createHttpServer(opts: { routes: readonly Route[]; slack?: { path: string; listener: RequestListener } | undefined; logger: Logger }): Server {
  const { routes, slack, logger } = opts;
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (slack && url.pathname === slack.path) {
      slack.listener(req, res);
      return;
    }
    dispatch(routes, req, url).then(
      (result) => {
        if (result.stream) void sendStream(res, { ...result, stream: result.stream }, logger);
        else send(res, result);
      },
      (err: unknown) => {
        const envelope = toEnvelope(err);
        if (!envelope.known) logger.error({ err, method: req.method, path: url.pathname }, 'request failed');
        // A refused body may still be arriving; close the connection rather than read it all.
        if (envelope.status === 413) res.setHeader('connection', 'close');
        send(res, { status: envelope.status, json: envelope.body });
      },
    );
  });
}
