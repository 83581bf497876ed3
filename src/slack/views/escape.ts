/*
 * Lead fields come from web forms: whatever a stranger typed. In mrkdwn, `<!channel>`, `<@U1>`
 * and `<https://x|y>` are commands, so &, < and > are escaped as Slack documents; newlines in
 * one-line fields are folded so a value cannot fake extra lines of the card.
 * `*`, `_`, `~` and backticks have no escape in mrkdwn. They format only at the edge of a word,
 * so there they become look-alikes that Slack leaves alone (a company called `*bold*` reads
 * ∗bold∗ and cannot end the bold around it); inside a word (oscar_lind) they stay as typed.
 */

const LOOKALIKE: Record<string, string> = { '*': '∗', _: 'ˍ', '~': '∼', '`': 'ˋ' };
const MARKER_AT_EDGE = /(?<![\p{L}\p{N}])[*_~`]|[*_~`](?![\p{L}\p{N}])/gu;

export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MARKER_AT_EDGE, (c) => LOOKALIKE[c] ?? c);
}

/** Cuts to at most `max` characters (code points, so no broken surrogate pair), with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** An untrusted one-line value, shortened first and escaped after, so no entity is ever cut. */
export function field(value: string | number | null | undefined, max = 200): string {
  if (value === null || value === undefined || value === '') return '—';
  return escapeMrkdwn(truncate(String(value).replace(/\s+/g, ' ').trim(), max));
}

/** An untrusted value for plain_text (no mrkdwn parsing there; only length and lines matter). */
export function plain(value: string | null | undefined, max: number): string {
  const v = (value ?? '').replace(/\s+/g, ' ').trim();
  return truncate(v === '' ? '—' : v, max);
}

/** Truncates text that is already escaped mrkdwn without leaving half an entity (`&am…`) behind. */
export function truncateMrkdwn(text: string, max: number): string {
  if (Array.from(text).length <= max) return text;
  return `${truncate(text, max)
    .slice(0, -1)
    .replace(/&[a-z]{0,4}$/, '')}…`;
}
