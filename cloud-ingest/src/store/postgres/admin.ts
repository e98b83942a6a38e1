import pg from "pg";
import { parsePostgresUrl } from "./connect.js";

/** Why the server at `url` cannot be used (the error's message), or null when a query works. */
export async function probePostgres(url: string, timeoutMs = 3000): Promise<string | null> {
  const client = new pg.Client({
    connectionString: parsePostgresUrl(url).connectionString,
    connectionTimeoutMillis: timeoutMs,
  });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return String((error as Error).message ?? error);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops the schema `url` names (`?schema=`) with everything in it: a store's teardown. */
export async function dropSchema(url: string): Promise<void> {
  const target = parsePostgresUrl(url);
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${target.schema} CASCADE`);
  } finally {
    await client.end();
  }
}
