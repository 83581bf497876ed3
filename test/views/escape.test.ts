import { describe, expect, it } from 'vitest';
import { renderMarketingNote } from '../../src/slack/views/card.js';
import { escapeMrkdwn, field } from '../../src/slack/views/escape.js';

/*
 * Untrusted values in mrkdwn: mentions and links are escaped as entities, and the formatting
 * markers, which mrkdwn cannot escape, become look-alikes where they could format (at a word's edge).
 */
describe('escapeMrkdwn neutralises every marker that could format', () => {
  it.each([
    ['*bold*', '∗bold∗'],
    ['_italic_', 'ˍitalicˍ'],
    ['~struck~', '∼struck∼'],
    ['`code`', 'ˋcodeˋ'],
    ['```block```', 'ˋˋˋblockˋˋˋ'],
    ['5 * 3', '5 ∗ 3'],
    // Inside a word a marker formats nothing and stays as typed: addresses and ids keep their underscores.
    ['oscar_lind@skärgårdlabs.example', 'oscar_lind@skärgårdlabs.example'],
    ['paid_search', 'paid_search'],
    ['<!channel> & <@U1>', '&lt;!channel&gt; &amp; &lt;@U1&gt;'],
  ])('%j → %j', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
    expect(field(input)).toBe(expected);
  });

  it("a company called *bold* cannot end the marketing note's bold wrapper", () => {
    const { text } = renderMarketingNote({
      handoffId: 'h',
      name: '_Ana_',
      company: '*bold*',
      score: 60,
      teamName: 'SMB ~team~',
      repUserId: 'U0EVA',
      slaLabel: '2 d',
      dueAt: new Date('2026-11-24T13:00:00Z'),
      zone: 'Europe/Stockholm',
    });
    expect(text).toMatch(/^Handed to sales: \*ˍAnaˍ \(∗bold∗\)\*, score 60 → SMB ∼team∼,/);
    // The only asterisks left are the wrapper's own two.
    expect(text.match(/\*/g)).toHaveLength(2);
  });
});
