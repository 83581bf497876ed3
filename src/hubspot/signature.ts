import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * HubSpot's webhook signature, version 3 (docs/hubspot.md): base64(HMAC-SHA256(client secret,
 * method + URI + raw body + timestamp)), the URI as HubSpot called it with a few percent-encoded
 * characters decoded first, and the timestamp (epoch milliseconds) no more than five minutes old.
 */

export const MAX_SIGNATURE_AGE_MS = 5 * 60_000;

/** The characters HubSpot's documentation decodes in the URI before signing. */
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function signedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()] ?? m);
}

export interface SignedRequest {
  readonly method: string;
  /** Scheme, host, path and query, as HubSpot called them. */
  readonly uri: string;
  readonly body: Buffer;
  /** X-HubSpot-Request-Timestamp as sent. */
  readonly timestamp: string;
}

export function signatureV3(req: SignedRequest, clientSecret: string): string {
  return createHmac('sha256', clientSecret)
    .update(
      Buffer.concat([
        Buffer.from(`${req.method}${signedUri(req.uri)}`, 'utf8'),
        req.body,
        Buffer.from(req.timestamp, 'utf8'),
      ]),
    )
    .digest('base64');
}

export type SignatureCheck =
  { readonly ok: true } | { readonly ok: false; readonly reason: 'missing' | 'stale' | 'mismatch' };

export function checkSignatureV3(
  req: SignedRequest,
  signature: string | undefined,
  clientSecret: string,
  nowMs: number,
): SignatureCheck {
  if (signature === undefined || signature === '' || !/^\d{1,16}$/.test(req.timestamp))
    return { ok: false, reason: 'missing' };
  // Refused both ways: a timestamp from the future is as suspect as an old one.
  if (Math.abs(nowMs - Number(req.timestamp)) > MAX_SIGNATURE_AGE_MS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signatureV3(req, clientSecret), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given)
    ? { ok: true }
    : { ok: false, reason: 'mismatch' };
}
