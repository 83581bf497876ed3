import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

export const ONE_MEGABYTE = 1024 * 1024;

/** Refuses a body over `limit` bytes before buffering it: by Content-Length first, then while streaming. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload_too_large', `The request body is over ${Math.round(limit / 1024)} KB.`);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function requireJson(req: IncomingMessage, also: readonly string[] = []): string {
  const type = mediaType(req);
  if (type !== 'application/json' && !also.includes(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `Send the body as application/json${also.length ? ` or ${also.join(', ')}` : ''} (got ${type || 'no Content-Type'}).`,
    );
  }
  return type;
}

export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  requireJson(req);
  const raw = await readBody(req, limit);
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'validation_failed', 'The body is not valid JSON.');
  }
}
