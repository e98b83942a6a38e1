import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import { CLOCK_MIGRATION } from "./clock-schema.js";
import { MIGRATIONS, migrate } from "./migrations.js";

let dir: TempDir;
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

describe("migration 8 (clock)", () => {
  it("gives events stored before it their occurredAt as count time, to be left alone", () => {
    const db = new Database(dir.file("old.db"));
    try {
      migrate(
        db,
        MIGRATIONS.filter((migration) => migration.version < CLOCK_MIGRATION.version),
      );
      db.prepare(
        `INSERT INTO events (gateway, seq, id, type, site, occurred_at, received_at, body)
         VALUES ('gw-1', 1, 'x', 'door.crossing', 'campus', 1234, 5678, '{}')`,
      ).run();
      // Up to 8 only: migration 12 moves the clock columns into spans (clock-span-schema.test.ts).
      const upTo8 = MIGRATIONS.filter((migration) => migration.version <= CLOCK_MIGRATION.version);
      expect(migrate(db, upTo8)).toContain(CLOCK_MIGRATION.version);
      expect(db.prepare("SELECT t, clock_boot, clock_base, clock_wall FROM events").get()).toEqual({
        t: 1234,
        clock_boot: null,
        clock_base: null,
        clock_wall: null,
      });
    } finally {
      db.close();
    }
  });
});
