import { getTableColumns, getTableName, is, SQL, sql, type AnyColumn } from 'drizzle-orm';
import { PgDialect, type PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../client.js';

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
    columns: cols.map(({ key, col }) => ({ key, defaultFn: col.defaultFn, constant: is(col.default, SQL) ? null : (col.default ?? null) })),
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
export function rowsInsert<T extends PgTable>(table: T, rows: readonly T['$inferInsert'][], opts: { onConflictDoNothing?: boolean } = {}): Write | undefined {
  if (rows.length === 0) return undefined;
  const records = rows as readonly Record<string, unknown>[];
  const keys = Object.keys(getTableColumns(table)).filter((key) => records.some((r) => r[key] !== undefined));
  const { columns, names, head, tail } = insertShape(table, keys, opts.onConflictDoNothing === true);
  const json = JSON.stringify(
    records.map((r) => {
      const out: Record<string, unknown> = {};
      columns.forEach(({ key, defaultFn, constant }, i) => {
        const value = r[key] ?? defaultFn?.();
        out[names[i]!] = value === undefined || is(value, SQL) ? constant : value;
      });
      return out;
    }),
  );
  return sql`${sql.raw(head)}${json}${sql.raw(tail)}`;
}

/**
 * Several writes as one statement (each a data-modifying WITH clause): one round trip, one
 * parse and one plan however many tables. They share a snapshot and none reads another's rows;
 * foreign keys are checked when the statement ends, so a row may reference one written beside it.
 */
export async function writeTogether(db: DbOrTx, writes: readonly (Write | undefined)[]): Promise<void> {
  const present = writes.filter((w): w is Write => w !== undefined);
  if (present.length === 0) return;
  if (present.length === 1) {
    await db.execute(present[0]!);
    return;
  }
  await db.execute(sql`with ${sql.join(present.map((w, i) => sql`${sql.raw(`w${i}`)} as (${w})`), sql`, `)} select 1`);
}

/**
 * `expr = any(<values>)` with the list as one JSON parameter: the statement's text is the same
 * for any number of values, so it is prepared once (an inlined list is a new statement per
 * length). For short lists on small tables; a lookup per key in a big one wants a lateral join.
 */
export function isAnyOf(expr: SQL | AnyColumn, values: readonly string[]): SQL {
  return sql`${expr} = any(array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)))`;
}
