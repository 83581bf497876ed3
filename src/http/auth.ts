import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Checks `Authorization: Bearer <token>` in constant time (comparing digests, so neither the
 * content nor the length of the real token leaks). An unset token means the API is switched off.
 */
export function requireBearer(req: IncomingMessage, expected: string | undefined, variable: string): void {
  if (expected === undefined)
    throw new HttpError(503, 'not_configured', `This API is off: set ${variable} to enable it.`);
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match || !timingSafeEqual(digest(match[1]!), digest(expected))) {
    throw new HttpError(401, 'unauthorized', `Send "Authorization: Bearer <${variable}>".`);
  }
}
