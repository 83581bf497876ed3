import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { boundedLines } from '../../src/http/lines.js';

async function linesOf(chunks: readonly string[], limit = 1024): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const line of boundedLines(Readable.from(chunks.map((c) => Buffer.from(c))), limit)) out.push(line);
  return out;
}

describe('boundedLines', () => {
  it('splits on LF, drops a CR before it and blank lines, and keeps a line cut across chunks (even inside a character) whole', async () => {
    const text = 'first\r\nsecond å\n\n  \r\nthird 🙂 line\nlast without newline';
    expect(await linesOf([text])).toEqual(['first', 'second å', 'third 🙂 line', 'last without newline']);
    // Every cut point, including inside the multi-byte characters and between CR and LF.
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const parts: unknown[] = [];
      for await (const line of boundedLines(Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]), 1024))
        parts.push(line);
      expect(parts).toEqual(['first', 'second å', 'third 🙂 line', 'last without newline']);
    }
  });

  it('gives up a line over the limit, in one chunk or across several, and goes on with the next', async () => {
    expect(await linesOf(['short\n', `${'x'.repeat(20)}\nok\n`], 10)).toEqual(['short', { tooLong: true }, 'ok']);
    expect(await linesOf(['12345', '67890', '1\nok'], 10)).toEqual([{ tooLong: true }, 'ok']);
    expect(await linesOf(['1234567890\n'], 10)).toEqual(['1234567890']);
  });
});
