/** A line longer than the limit: refused by its position, its bytes never held. */
export interface LineTooLong {
  tooLong: true;
}

/**
 * Splits a byte stream into lines (LF, an optional CR before it dropped), holding at most
 * `limit` bytes of the current line: a longer line is given up as soon as it passes the limit,
 * what it had is released, and the rest of it is read and dropped up to its newline. So memory
 * stays bounded whatever the size of a line or of the stream. Blank lines are left out.
 */
export async function* boundedLines(
  source: AsyncIterable<Uint8Array | string>,
  limit: number,
): AsyncGenerator<string | LineTooLong> {
  let pieces: Buffer[] = [];
  let held = 0;
  let dropping = false;
  const finish = function* (): Generator<string | LineTooLong> {
    if (dropping) {
      yield { tooLong: true };
    } else if (held > 0) {
      let line = Buffer.concat(pieces, held).toString('utf8');
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.trim() !== '') yield line;
    }
    pieces = [];
    held = 0;
    dropping = false;
  };
  const take = (part: Buffer): void => {
    if (dropping) return;
    if (held + part.length > limit) {
      pieces = [];
      held = 0;
      dropping = true;
      return;
    }
    // A copy, so a small line does not keep its whole network chunk alive.
    pieces.push(Buffer.from(part));
    held += part.length;
  };
  for await (const chunk of source) {
    const buf =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      if (held === 0 && !dropping && nl - start <= limit) {
        // The whole line is in this chunk (the usual case): decoded where it lies, nothing copied.
        const line = buf.toString('utf8', start, buf[nl - 1] === 13 && nl > start ? nl - 1 : nl);
        if (line.trim() !== '') yield line;
      } else {
        take(buf.subarray(start, nl));
        yield* finish();
      }
      start = nl + 1;
    }
    if (start < buf.length) take(buf.subarray(start));
  }
  yield* finish();
}
