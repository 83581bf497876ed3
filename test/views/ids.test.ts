import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeAction, HANDOFF_ACTIONS, parseAction } from '../../src/slack/ids.js';

describe('action ids', () => {
  it("every kind round-trips, within Slack's 255 characters", () => {
    fc.assert(
      fc.property(fc.constantFrom(...HANDOFF_ACTIONS), fc.uuid(), (kind, handoffId) => {
        const id = encodeAction({ kind, handoffId });
        expect(id.length).toBeLessThanOrEqual(255);
        expect(parseAction(id)).toEqual({ kind, handoffId });
      }),
    );
  });

  it('the parser is total: any string gives an action or undefined, never a throw', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(() => parseAction(s)).not.toThrow();
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(() => parseAction(`baton:v1:${s}`)).not.toThrow();
      }),
    );
  });

  it.each([
    '',
    'accept',
    'baton:v1:accept',
    'baton:v1:accept:not-a-uuid',
    'baton:v1:explode:00000000-0000-4000-8000-000000000000',
    'baton:v2:accept:00000000-0000-4000-8000-000000000000',
    'baton:v1:accept:00000000-0000-4000-8000-000000000000:extra',
  ])('refuses %j', (id) => {
    expect(parseAction(id)).toBeUndefined();
  });
});
