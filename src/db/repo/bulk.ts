import { getTableColumns, getTableName, is, SQL, sql, type AnyColumn } from 'drizzle-orm';
import {
  PgBoolean,
  PgDialect,
  PgInteger,
  PgJsonb,
  PgText,
  PgTimestamp,
  PgTransaction,
  PgUUID,
  type PgColumn,
  type PgTable,
} from 'drizzle-orm/pg-core';
import { PostgresJsTransaction } from 'drizzle-orm/postgres-js';
import type { Db, DbOrTx, Tx } from '../client.js';

/** A write as one SQL statement: run alone, or sent with others as one statement (`writeTogether`). */
export type Write = SQL;

const RECORD_TYPE: Record<string, string> = { bigserial: 'bigint', serial: 'integer', smallserial: 'smallint' };
const dialect = new PgDialect();
const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

interface InsertColumn {
  key: string;
  defaultFn: (() => unknown) | undefined;
  /** A constant default, written into the JSON when a row leaves the value out. */
  constant: unknown;
}

/** One table's insert for one set of columns, as text around the rows' JSON: built once, reused. */
interface InsertShape {
  columns: InsertColumn[];
  names: string[];
  head: string;
  tail: string;
}

const shapes = new WeakMap<PgTable, Map<string, InsertShape>>();

function insertShape(table: PgTable, keys: readonly string[], onConflictDoNothing: boolean): InsertShape {
  const cacheKey = `${keys.join(',')}|${onConflictDoNothing}`;
  let byKeys = shapes.get(table);
  if (byKeys === undefined) shapes.set(table, (byKeys = new Map<string, InsertShape>()));
  const cached = byKeys.get(cacheKey);
  if (cached !== undefined) return cached;
  const all = getTableColumns(table);
  const cols = keys.map((key) => ({ key, col: all[key]! }));
  const values = cols.map(({ col }) => {
    if (!is(col.default, SQL)) return quote(col.name);
    // A database default (now(), a serial) applies to the rows that leave the value out.
    const query = dialect.sqlToQuery(col.default);
    if (query.params.length > 0) throw new Error(`column ${col.name}: a default with parameters cannot be inlined`);
    return `coalesce(${quote(col.name)}, ${query.sql})`;
  });
  const shape = cols.map(({ col }) => `${quote(col.name)} ${RECORD_TYPE[col.getSQLType()] ?? col.getSQLType()}`);
  const built: InsertShape = {
    columns: cols.map(({ key, col }) => ({
      key,
      defaultFn: col.defaultFn,
      constant: is(col.default, SQL) ? null : (col.default ?? null),
    })),
    names: cols.map(({ col }) => col.name),
    head: `insert into ${quote(getTableName(table))} (${cols.map(({ col }) => quote(col.name)).join(', ')}) select ${values.join(', ')} from jsonb_to_recordset(`,
    tail: `::jsonb) as x(${shape.join(', ')})${onConflictDoNothing ? ' on conflict do nothing' : ''}`,
  };
  byKeys.set(cacheKey, built);
  return built;
}

/**
 * Inserts many rows in one statement with one parameter: the rows as JSON, expanded by
 * jsonb_to_recordset. The query builder spends CPU per value (the hot cost of a busy intake); this
 * costs one JSON.stringify, and the statement's text is built once per table and set of columns.
 * A value a row leaves out takes the column's default, as it would in an ordinary insert; a column
 * no row sets is left to the database altogether.
 */
export function rowsInsert<T extends PgTable>(
  table: T,
  rows: readonly T['$inferInsert'][],
  opts: { onConflictDoNothing?: boolean } = {},
): Write | undefined {
  if (rows.length === 0) return undefined;
  const records = rows as readonly Record<string, unknown>[];
  const keys = Object.keys(getTableColumns(table)).filter((key) => records.some((r) => r[key] !== undefined));
  const { columns, names, head, tail } = insertShape(table, keys, opts.onConflictDoNothing === true);
  const out = new Array<Record<string, unknown>>(records.length);
  for (let j = 0; j < records.length; j++) {
    const r = records[j]!;
    const o: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const { key, defaultFn, constant } = columns[i]!;
      const value = r[key] ?? defaultFn?.();
      o[names[i]!] = value === undefined || value instanceof SQL ? constant : value;
    }
    out[j] = o;
  }
  return sql`${sql.raw(head)}${JSON.stringify(out)}${sql.raw(tail)}`;
}

/**
 * Several writes as one statement (each a data-modifying WITH clause): one round trip, one
 * parse and one plan however many tables. They share a snapshot and none reads another's rows;
 * foreign keys are checked when the statement ends, so a row may reference one written beside it.
 *
 * In a transaction the statement runs with Postgres' plan cache on (`plan_cache_mode=auto`), and
 * the connection's own setting is restored right after it, in the same round trip. The
 * connections plan every statement for its values (src/db/client.ts) because a lookup's plan
 * depends on them; these statements only insert rows given as JSON (or update the small counters
 * table by its key), and the foreign-key checks Postgres runs for each row are statements too:
 * planned afresh for every row they cost three times the insert itself (README.md, "Performance":
 * intake). Their plans never depend on the values. Outside a transaction the three statements
 * could run on three connections, so the write runs alone there.
 */
export async function writeTogether(db: DbOrTx, writes: readonly (Write | undefined)[]): Promise<void> {
  const present = writes.filter((w): w is Write => w !== undefined);
  if (present.length === 0) return;
  const statement =
    present.length === 1
      ? present[0]!
      : sql`with ${sql.join(
          present.map((w, i) => sql`${sql.raw(`w${i}`)} as (${w})`),
          sql`, `,
        )} select 1`;
  if (!(db instanceof PgTransaction)) {
    await db.execute(statement);
    return;
  }
  await Promise.all([db.execute(REUSE_PLANS), db.execute(statement), db.execute(RESTORE_PLANNING)]);
}

/** A transaction on the PostgreSQL server (postgres.js), not the embedded database. Not a type guard: the narrowed type would lose the schema. */
const onServer = (tx: Tx): boolean => tx instanceof PostgresJsTransaction;

/**
 * A transaction whose last writes travel with its COMMIT, in one round trip instead of two: the
 * locks it holds (a team's round-robin counters, on the intake) are let go a round trip sooner,
 * and under load a round trip is mostly the wait for this process's busy event loop (README.md,
 * "Performance": intake). `body` does the transaction's work and hands back its value and the
 * writes to end it with.
 *
 * Should a last write fail, Postgres has aborted the transaction and answers its COMMIT with a
 * rollback: nothing of it is stored, and the write's error is thrown once the transaction has
 * ended. On the embedded database (one process, no round trips) the writes are simply awaited.
 */
export async function transactionEndingWith<T>(
  db: Db,
  body: (tx: Tx) => Promise<{ value: T; last: readonly (Write | undefined)[] }>,
): Promise<T> {
  let ended: Promise<{ failed: unknown } | undefined> = Promise.resolve(undefined);
  const value = await db.transaction(async (tx) => {
    const { value: result, last } = await body(tx);
    if (!onServer(tx)) {
      await writeTogether(tx, last);
      return result;
    }
    ended = writeTogether(tx, last).then(
      () => undefined,
      (failed: unknown) => ({ failed }),
    );
    // postgres.js hands a query to its connection a few microtasks after it is called, and every
    // microtask runs before a setImmediate callback: by then the writes are queued on the
    // transaction's connection, ahead of the COMMIT that follows this return.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return result;
  });
  const outcome = await ended;
  if (outcome !== undefined) throw outcome.failed;
  return value;
}

/** Lets Postgres keep plans for the rest of the transaction (or until RESTORE_PLANNING): for writes whose plans never depend on their values. */
export const REUSE_PLANS = sql`select set_config('plan_cache_mode', 'auto', true)`;
// RESET goes back to the value the connection started with, whatever src/db/client.ts chose.
const RESTORE_PLANNING = sql`reset plan_cache_mode`;

/**
 * `expr = any(<values>)` with the list as one JSON parameter: the statement's text is the same
 * for any number of values, so it is prepared once (an inlined list is a new statement per
 * length). For short lists on small tables; a lookup per key in a big one wants a lateral join.
 */
export function isAnyOf(expr: SQL | AnyColumn, values: readonly string[]): SQL {
  return sql`${expr} = any(array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)))`;
}

/** A table's rows as lines of `COPY … FROM STDIN` text (a tab between values), its columns fixed up front. */
export interface CopyFormat<Row> {
  table: string;
  columns: readonly string[];
  /** One row as a line, without its newline. */
  line(row: Row): string;
}

/**
 * Lines of COPY text as the bytes sent, a newline after each, written one by one into a buffer
 * that grows as needed. Joining a chunk's lines into one string and encoding that string cost the
 * importer six times as much (17 µs a lead against 2–3 µs, README.md, "Performance": import).
 */
export function copyBytes(lines: Iterable<string>): Buffer {
  let buf = Buffer.allocUnsafe(64 * 1024);
  let used = 0;
  for (const line of lines) {
    // UTF-8 takes at most three bytes for each UTF-16 unit, and one for the newline.
    const room = line.length * 3 + 1;
    if (buf.length - used < room) {
      const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, used + room));
      buf.copy(bigger, 0, 0, used);
      buf = bigger;
    }
    used += buf.write(line, used);
    buf[used++] = 0x0a;
  }
  return buf.subarray(0, used);
}

/** A column's non-null values as COPY text. */
type CopyEncode = (value: unknown) => string;

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIALS = /[\\\n\r\t]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escapeCopy = (text: string): string =>
  COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]!) : text;

const DAY_MS = 86_400_000;
/** Instants from 1970 to 9999 (all Baton stores): their ISO text has a four-digit year. */
const ISO_LIMIT_MS = Date.UTC(10_000, 0, 1);
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const dayTexts = new Map<number, string>();

/**
 * `date.toISOString()`, six times faster: a bulk write formats several instants a row, and most
 * fall on days it has formatted before (the day's text is kept, up to a few years of days).
 */
function isoInstant(date: Date): string {
  const ms = date.getTime();
  if (!(ms >= 0 && ms < ISO_LIMIT_MS)) return date.toISOString();
  const day = Math.floor(ms / DAY_MS);
  let dayText = dayTexts.get(day);
  if (dayText === undefined) {
    if (dayTexts.size >= 4096) dayTexts.clear();
    dayTexts.set(day, (dayText = date.toISOString().slice(0, 11)));
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${dayText}${TWO_DIGITS[hours]!}:${TWO_DIGITS[minutes]!}:${TWO_DIGITS[seconds]!}.${THREE_DIGITS[rest - seconds * 1000]!}Z`;
}

/** How a column's values are written, chosen once per column rather than per value. */
function copyEncoder(column: PgColumn): CopyEncode {
  if (is(column, PgText)) return (value) => escapeCopy(value as string);
  if (is(column, PgTimestamp)) return (value) => isoInstant(value as Date);
  if (is(column, PgJsonb)) return (value) => escapeCopy(JSON.stringify(value));
  if (is(column, PgUUID) || is(column, PgInteger) || is(column, PgBoolean))
    return (value) => (value === true ? 't' : value === false ? 'f' : String(value));
  return (value) => {
    const driver: unknown = column.mapToDriverValue(value);
    return escapeCopy(typeof driver === 'boolean' ? (driver ? 't' : 'f') : String(driver));
  };
}

/**
 * Rows as `COPY` text (README.md, "Performance": import): Postgres reads it far more cheaply than
 * the same rows as one JSON parameter, and it costs one string per value here instead of an
 * object per row. Every column of the table is written but those in `leaveOut` (a serial id, an
 * update time), which the database fills; a value a row leaves out (or null) takes the column's
 * default, so a new column is one more key on the rows. COPY has no DEFAULT keyword, so a column
 * whose default is SQL (now()) must be set by every row or left out.
 */
export function copyFormat<T extends PgTable>(
  table: T,
  leaveOut: readonly (keyof T['$inferInsert'] & string)[] = [],
): CopyFormat<T['$inferInsert']> {
  const name = getTableName(table);
  const columns = Object.entries(getTableColumns(table))
    .filter(([key]) => !(leaveOut as readonly string[]).includes(key))
    .map(([key, column]) => {
      const encode = copyEncoder(column);
      const constant: unknown = column.default;
      const { defaultFn } = column;
      const constantText =
        constant === null || constant === undefined ? '\\N' : is(constant, SQL) ? undefined : encode(constant);
      // The text for a row that leaves the column out (or sets null): its default.
      const missing = (): string => {
        if (defaultFn !== undefined) {
          const value: unknown = defaultFn();
          return value === null || value === undefined ? '\\N' : encode(value);
        }
        if (constantText === undefined)
          throw new Error(
            `${name}.${column.name}: a row leaves it to the database's default, which COPY cannot apply; set it on every row or leave the column out`,
          );
        return constantText;
      };
      return { key, name: column.name, missing, encode };
    });
  return {
    table: name,
    columns: columns.map((c) => c.name),
    line(row) {
      const record = row as Record<string, unknown>;
      const texts = new Array<string>(columns.length);
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i]!;
        const value = record[c.key];
        texts[i] = value === null || value === undefined ? c.missing() : c.encode(value);
      }
      return texts.join('\t');
    },
  };
}
