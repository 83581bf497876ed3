import { describe, expect, it } from 'vitest';
import { isFromTheFuture } from '../../src/slack/request-time.js';

const NOW_MS = 1_796_000_000_500;
const now = Math.floor(NOW_MS / 1000);

describe('Slack request timestamps ahead of our clock', () => {
  it.each([
    ['now', String(now), false],
    ['five minutes ahead exactly', String(now + 300), false],
    ['five minutes and a second ahead', String(now + 301), true],
    ['six minutes ahead', String(now + 360), true],
    ['a year ahead', String(now + 365 * 86_400), true],
    ['six minutes old (Bolt refuses it)', String(now - 360), false],
    ['missing (Bolt refuses it)', undefined, false],
    ['not a number (Bolt refuses it)', 'soon', false],
    ['sent twice', [String(now + 360), String(now)], false],
  ] as const)('%s → refused here: %s', (_name, header, refused) => {
    expect(isFromTheFuture(header as string | string[] | undefined, NOW_MS)).toBe(refused);
  });
});
