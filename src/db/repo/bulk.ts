import { getTableColumns, is, SQL, sql, type AnyColumn } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../client.js';

const RECORD_TYPE: Record<string, string> = { bigserial: 'bigint', serial: 'integer', smallserial: 'smallint' };

/**
 * Inserts many rows in one statement with one parameter: the rows as JSON, expanded by
 * jsonb_to_recordset. The query builder spends CPU per value (the hot cost of a busy intake); this
 * costs one JSON.stringify. A value a row leaves out takes the column's default, as it would in
 * an ordinary insert; a column no row sets is left to the database altogether.
 */
export async function insertRows<T extends PgTable>(db: DbOrTx, table: T, rows: readonly T['$inferInsert'][], opts: { onConflictDoNothing?: boolean } = {}): Promise<void> {
  if (rows.length === 0) return;
  const records = rows as readonly Record<string, unknown>[];
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => records.some((r) => r[key] !== undefined));
  const json = JSON.stringify(
    records.map((r) =>
      Object.fromEntries(
        columns.map(([key, col]) => {
          const value = r[key] ?? col.defaultFn?.();
          // A database default (now(), a serial) is applied below, in SQL.
          return [col.name, value === undefined || is(value, SQL) ? (is(col.default, SQL) ? null : (col.default ?? null)) : value];
        }),
      ),
    ),
  );
  const names = sql.join(columns.map(([, col]) => sql.identifier(col.name)), sql`, `);
  const values = sql.join(columns.map(([, col]) => (is(col.default, SQL) ? sql`coalesce(${sql.identifier(col.name)}, ${col.default})` : sql.identifier(col.name))), sql`, `);
  const shape = sql.join(columns.map(([, col]) => sql`${sql.identifier(col.name)} ${sql.raw(RECORD_TYPE[col.getSQLType()] ?? col.getSQLType())}`), sql`, `);
  const conflict = opts.onConflictDoNothing === true ? sql` on conflict do nothing` : sql``;
  await db.execute(sql`insert into ${table} (${names}) select ${values} from jsonb_to_recordset(${json}::jsonb) as x(${shape})${conflict}`);
}

/**
 * `expr = any(<values>)` with the list as one JSON parameter: the statement's text is the same
 * for any number of values, so it is prepared once (an inlined list is a new statement per
 * length), and the index on `expr` is still used.
 */
export function isAnyOf(expr: SQL | AnyColumn, values: readonly string[]): SQL {
  return sql`${expr} = any(array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)))`;
}
