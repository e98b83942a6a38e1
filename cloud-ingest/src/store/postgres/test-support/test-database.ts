import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, it } from "vitest";

/** The PostgreSQL the tests use: `LOTWATCH_TEST_PG`, else the machine's at 127.0.0.1:5432. */
export const TEST_PG_URL = process.env.LOTWATCH_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
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

/** Why PostgreSQL cannot be used, or null when it can. */
export const pgUnavailable = await probe();
const inCi = process.env.CI === "true";
if (pgUnavailable !== null && !inCi) {
  console.warn(
    `PostgreSQL tests skipped: ${TEST_PG_URL} unreachable (${pgUnavailable}); set LOTWATCH_TEST_PG`,
  );
}

/**
 * `describe` for tests that need PostgreSQL. Unreachable outside CI: skipped (said once, above).
 * Unreachable under CI=true: a failing test, since CI must run them.
 */
export function describePostgres(name: string, body: () => void): void {
  if (pgUnavailable !== null && inCi) {
    describe(name, () => {
      it("needs PostgreSQL, which CI must provide", () => {
        throw new Error(`PostgreSQL is required in CI but ${TEST_PG_URL} is unreachable: ${pgUnavailable}`);
      });
    });
    return;
  }
  describe.runIf(pgUnavailable === null)(name, body);
}

/** A schema of its own for one test, dropped by `drop()`. */
export interface TestSchema {
  name: string;
  /** TEST_PG_URL with `?schema=` set, as `--db` takes it. */
  url: string;
  drop(): Promise<void>;
}

export function createTestSchema(): TestSchema {
  const name = `lw_test_${randomBytes(6).toString("hex")}`;
  const url = new URL(TEST_PG_URL);
  url.searchParams.set("schema", name);
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
