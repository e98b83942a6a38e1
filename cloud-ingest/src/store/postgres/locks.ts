import { run, type Sql } from "./sql.js";

/**
 * Transaction-level advisory locks on names (`site:mall-a`, `gateway:gw-1`), taken in one statement
 * in the order of their 64-bit hashes, so two transactions that share names always queue and
 * never deadlock on them. A hash collision only makes two names share a lock.
 */
export async function lockNames(sql: Sql, names: Iterable<string>): Promise<void> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return;
  await run(
    sql,
    `SELECT pg_advisory_xact_lock(h) FROM (
       SELECT DISTINCT hashtextextended(name, 0) AS h FROM unnest($1::text[]) AS name ORDER BY h
     ) AS ordered`,
    [unique],
  );
}
