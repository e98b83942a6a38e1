import { randomBytes } from "node:crypto";
import { describe, it } from "vitest";
import { dropSchema, probePostgres } from "../admin.js";

/** The PostgreSQL the tests use: `LOTWATCH_TEST_PG`, else the machine's at 127.0.0.1:5432. */
export const TEST_PG_URL = process.env.LOTWATCH_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

/** Why PostgreSQL cannot be used, or null when it can. */
export const pgUnavailable = await probePostgres(TEST_PG_URL);
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

/** A random schema name on TEST_PG_URL (created by the store that opens it). */
export function createTestSchema(base = TEST_PG_URL): TestSchema {
  const name = `lw_test_${randomBytes(6).toString("hex")}`;
  const url = new URL(base);
  url.searchParams.set("schema", name);
  return { name, url: url.toString(), drop: () => dropSchema(url.toString()) };
}
