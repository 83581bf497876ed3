import { createHmac } from 'node:crypto';

/*
 * Sends requests to /slack/events exactly as Slack does: the exact raw bytes are signed
 * (v0:{timestamp}:{body}, HMAC-SHA256 with the signing secret), commands and interactivity as
 * application/x-www-form-urlencoded (no charset: Bolt compares the type exactly), events as JSON.
 * The sandbox page and the tests both go through here, so both exercise the production check.
 */

export const FORM_TYPE = 'application/x-www-form-urlencoded';

export function signSlackRequest(
  secret: string,
  rawBody: string,
  timestampSeconds: number,
): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
  const signature = createHmac('sha256', secret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex');
  return { 'x-slack-signature': `v0=${signature}`, 'x-slack-request-timestamp': String(timestampSeconds) };
}

export interface SignOptions {
  /** Seconds since the epoch; default now. A value 6 minutes old must be refused. */
  timestamp?: number;
  /** Sign with this secret instead (a forged request). */
  forgeWith?: string;
  /** Send no signature headers at all. */
  unsigned?: boolean;
  headers?: Record<string, string>;
}

export interface SlackReply {
  status: number;
  body: string;
  json: unknown;
  elapsedMs: number;
}

/** POSTs `rawBody` to `url` with Slack's signature headers and reads the whole answer. */
export async function sendSigned(
  url: URL | string,
  secret: string,
  rawBody: string,
  contentType: string,
  opts: SignOptions = {},
): Promise<SlackReply> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    ...(opts.unsigned ? {} : signSlackRequest(opts.forgeWith ?? secret, rawBody, ts)),
    ...opts.headers,
  };
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body: rawBody });
  const body = await res.text();
  const elapsedMs = performance.now() - started;
  let json: unknown;
  try {
    json = body === '' ? undefined : (JSON.parse(body) as unknown);
  } catch {
    json = undefined;
  }
  return { status: res.status, body, json, elapsedMs };
}

/** Interactivity (block_actions, view_submission) travels as one form field holding JSON. */
export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
