import { randomBytes, randomInt } from 'node:crypto';

const COUNTER_LOW = 2 ** 30;
const COUNTER_MAX = 2 ** 42;

/**
 * A source of ids that sort in the order they are made: UUID version 7 (RFC 9562) — the time in
 * milliseconds, then a counter started at a random point each millisecond (its "method 1"), then
 * 32 random bits fixed per source. Written in bulk, rows with such ids add to each index on them at
 * its right edge, a page at a time; random (version 4) ids land anywhere in an index, and once it
 * outgrows memory every row reads and dirties a page of its own (and, after a checkpoint, writes
 * that page whole to the WAL). Two sources differ in their random bits, so their ids never meet.
 */
export function timeOrderedIds(now: () => number = Date.now): () => string {
  const tail = randomBytes(4).toString('hex');
  let lastMs = 0;
  let counter = 0;
  return () => {
    const ms = now();
    if (ms > lastMs) {
      lastMs = ms;
      // Half the range, so a busy millisecond cannot run out of it.
      counter = randomInt(COUNTER_MAX / 2 / COUNTER_LOW) * COUNTER_LOW + randomInt(COUNTER_LOW);
    } else if (++counter >= COUNTER_MAX) {
      lastMs++;
      counter = 0;
    }
    const time = lastMs.toString(16).padStart(12, '0');
    const high = Math.floor(counter / COUNTER_LOW)
      .toString(16)
      .padStart(3, '0');
    // The variant's two bits (10) above the counter's low 30.
    const low = (0x80000000 + (counter % COUNTER_LOW)).toString(16);
    return `${time.slice(0, 8)}-${time.slice(8)}-7${high}-${low.slice(0, 4)}-${low.slice(4)}${tail}`;
  };
}
