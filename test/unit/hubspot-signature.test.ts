import { describe, expect, it } from 'vitest';
import { checkSignatureV3, signatureV3, signedUri } from '../../src/hubspot/signature.js';

/*
 * HubSpot's v3 webhook signature against vectors computed by hand from the documented algorithm,
 * outside this code: printf 'POST' + URI + body + timestamp | openssl dgst -sha256 -hmac SECRET -binary | base64
 */
const SECRET = 'client-secret-0123';
const T = '1764576000000';
const NOW = Number(T);

describe('HubSpot signature v3', () => {
  it.each([
    [
      'the full URI with its query',
      'https://baton.example.com/hubspot/webhooks?source=hub',
      '[{"eventId":1}]',
      '2HT//aZsLd+gD9bd22DL03xmRsUBPqihzfC+f8U9wT8=',
    ],
    [
      'percent-encoded characters HubSpot decodes before signing',
      'https://baton.example.com/hubspot/webhooks?a=b%3Ac',
      '[]',
      'gRklhYQolF4xtUYWHJgy6b93YSfqh2PZJWpFJ9KMovE=',
    ],
  ])('matches a hand-computed vector: %s', (_name, uri, body, expected) => {
    expect(signatureV3({ method: 'POST', uri, body: Buffer.from(body), timestamp: T }, SECRET)).toBe(expected);
  });

  it.each([
    ['%3A%2F%2F%3F%40%21%24%27%28%29%2A%2C%3B', ":////?@!$'()*,;".replace('////', '//')],
    ['%3a%2f', ':/'],
    ['%20%26%3D%2B', '%20%26%3D%2B'],
  ])('decodes only the documented characters: %s', (encoded, decoded) => {
    expect(signedUri(encoded)).toBe(decoded);
  });

  const req = {
    method: 'POST',
    uri: 'https://baton.example.com/hubspot/webhooks?source=hub',
    body: Buffer.from('[{"eventId":1}]'),
    timestamp: T,
  };
  const good = '2HT//aZsLd+gD9bd22DL03xmRsUBPqihzfC+f8U9wT8=';

  it.each([
    ['a valid signature', good, req, NOW + 4 * 60_000, { ok: true }],
    ['no signature', undefined, req, NOW, { ok: false, reason: 'missing' }],
    ['no timestamp', good, { ...req, timestamp: '' }, NOW, { ok: false, reason: 'missing' }],
    ['six minutes old', good, req, NOW + 6 * 60_000, { ok: false, reason: 'stale' }],
    ['six minutes in the future', good, req, NOW - 6 * 60_000, { ok: false, reason: 'stale' }],
    ['another body', good, { ...req, body: Buffer.from('[{"eventId":2}]') }, NOW, { ok: false, reason: 'mismatch' }],
    [
      'another URI (behind a proxy without PUBLIC_URL)',
      good,
      { ...req, uri: 'http://10.0.0.5:3000/hubspot/webhooks?source=hub' },
      NOW,
      { ok: false, reason: 'mismatch' },
    ],
    ['another secret', signatureV3(req, 'other-secret'), req, NOW, { ok: false, reason: 'mismatch' }],
    ['a truncated signature', good.slice(0, 20), req, NOW, { ok: false, reason: 'mismatch' }],
  ])('%s', (_name, signature, request, now, expected) => {
    expect(checkSignatureV3(request, signature, SECRET, now)).toEqual(expected);
  });
});
