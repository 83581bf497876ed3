import { describe, expect, it } from 'vitest';
import { classifyHubspotAnswer } from '../../src/hubspot/client.js';

/* How each HubSpot answer is treated by whoever retries (the event worker, the outbox). */
describe('HubSpot answers', () => {
  const now = new Date('2026-12-01T22:30:00Z');
  it.each([
    [429, { 'retry-after': '3' }, { policyName: 'TEN_SECONDLY_ROLLING' }, { kind: 'rate_limited', retryAfterMs: 3000 }],
    [429, {}, { policyName: 'TEN_SECONDLY_ROLLING' }, { kind: 'rate_limited', retryAfterMs: 10_000 }],
    // The daily limit without Retry-After: wait for midnight, not ten seconds at a time all night.
    [429, {}, { policyName: 'DAILY' }, { kind: 'rate_limited', retryAfterMs: 90 * 60_000 }],
    [500, {}, {}, { kind: 'transient' }],
    [503, {}, {}, { kind: 'transient' }],
    [404, {}, {}, { kind: 'not_found' }],
    [
      400,
      {},
      { message: 'Property values were not valid' },
      { kind: 'permanent', error: 'update contact: HubSpot answered 400: Property values were not valid' },
    ],
  ])('%i %o %o is %o', (status, headers, body, expected) => {
    expect(classifyHubspotAnswer('update contact', status, headers, body, now)).toMatchObject(expected);
  });

  it('says what to fix when the token or a scope is refused', () => {
    expect(classifyHubspotAnswer('read contact', 401, {}, {}).error).toContain('HUBSPOT_ACCESS_TOKEN');
    expect(classifyHubspotAnswer('read contact', 403, {}, {}).error).toContain('scope');
  });
});
