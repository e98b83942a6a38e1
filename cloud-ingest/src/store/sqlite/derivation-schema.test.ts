import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { campusTopology, crossing, laneRead, T0 } from "../../counts/test-support/count-fixtures.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import { DERIVATION_MIGRATION } from "./derivation-schema.js";
import { createSqliteStore } from "./sqlite-store.js";
import { countStepsOf } from "./test-support/count-steps.js";

let dir: TempDir;
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

const open = (path: string) =>
  createSqliteStore({ path, topology: campusTopology(), logger: createSilentLogger() });

describe("migration 14 (counts and sessions derived through a batch row)", () => {
  it("marks every batch row of an existing database derived, so none is counted twice", async () => {
    const path = dir.file("old.db");
    const store = open(path);
    await store.insertBatch("gw-1", [laneRead(1, 0, "gate-in"), crossing(2, 1000, "main", 1, 2)], T0);
    await store.insertBatch("gw-2", [laneRead(1, 2000, "gate-in")], T0);
    await store.close();
    const db = new Database(path);
    const steps = countStepsOf(db);
    // The database as migration 13 left it.
    db.exec(
      `DROP TABLE derived_through; DELETE FROM schema_migrations WHERE version = ${DERIVATION_MIGRATION.version}`,
    );
    db.close();

    await open(path).close();
    const after = new Database(path, { readonly: true });
    try {
      expect(after.prepare("SELECT batch FROM derived_through").pluck().get()).toBe(
        after.prepare("SELECT MAX(id) FROM event_batches").pluck().get(),
      );
      expect(countStepsOf(after)).toEqual(steps);
    } finally {
      after.close();
    }
  });
});
