import type pg from "pg";

/** A pool (one statement, any connection) or a client inside a transaction. */
export type Sql = pg.Pool | pg.ClientBase;

const names = new Map<string, string>();

/**
 * Runs `text` as a named prepared statement: PostgreSQL plans it once per connection, which the hot
 * path (a dozen statements per event) needs.
 */
export async function query<R extends pg.QueryResultRow>(
  sql: Sql,
  text: string,
  values: readonly unknown[] = [],
): Promise<R[]> {
  let name = names.get(text);
  if (name === undefined) {
    name = `lotwatch_${names.size + 1}`;
    names.set(text, name);
  }
  const result = await sql.query<R>({ name, text, values: values as unknown[] });
  return result.rows;
}

/** The first row, or undefined. */
export async function one<R extends pg.QueryResultRow>(
  sql: Sql,
  text: string,
  values: readonly unknown[] = [],
): Promise<R | undefined> {
  return (await query<R>(sql, text, values))[0];
}

/** Affected row count of a write. */
export async function run(sql: Sql, text: string, values: readonly unknown[] = []): Promise<number> {
  let name = names.get(text);
  if (name === undefined) {
    name = `lotwatch_${names.size + 1}`;
    names.set(text, name);
  }
  const result = await sql.query({ name, text, values: values as unknown[] });
  return result.rowCount ?? 0;
}
