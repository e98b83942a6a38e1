import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import { CLOCK_SPANS_MIGRATION } from "./clock-span-schema.js";
import { MIGRATIONS, migrate } from "./migrations.js";

let dir: TempDir;
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

describe("migration 12 (clock spans)", () => {
  it("turns the clock columns of stored events into spans of consecutive seqs with one clock", () => {
    const db = new Database(dir.file("old.db"));
    try {
      migrate(
        db,
        MIGRATIONS.filter((migration) => migration.version < CLOCK_SPANS_MIGRATION.version),
      );
      const insert = db.prepare(
        `INSERT INTO events (gateway, seq, id, type, site, occurred_at, received_at, body, t,
           clock_boot, clock_base, clock_wall)
         VALUES (?, ?, 'x', 'door.crossing', 'campus', 1, 2, '{}', 1, ?, ?, ?)`,
      );
      const rows: [string, number, string | null, number | null, number | null][] = [
        ["gw-1", 1, "b1", 100, null],
        ["gw-1", 2, "b1", 100, null],
        ["gw-1", 3, null, null, null],
        ["gw-1", 4, "b1", 100, null],
        ["gw-1", 5, "b1", 90, 7],
        ["gw-1", 6, "b1", null, null],
        ["gw-1", 8, "b1", null, null],
        ["gw-2", 1, "b1", 100, null],
      ];
      for (const row of rows) insert.run(...row);
      // As the ingest leaves the file (gaps/sqlite-gaps.ts): the columns dropped must not be indexed.
      db.exec("CREATE INDEX events_gateway_gaps ON events (gateway, seq) WHERE type = 'gateway.gap'");
      expect(migrate(db)).toContain(CLOCK_SPANS_MIGRATION.version);
      const spans = db
        .prepare(
          "SELECT gateway, boot_id, from_seq, to_seq, base, wall FROM clock_spans ORDER BY gateway, from_seq",
        )
        .raw()
        .all();
      expect(spans).toEqual([
        ["gw-1", "b1", 1, 2, 100, null],
        ["gw-1", "b1", 4, 4, 100, null],
        ["gw-1", "b1", 5, 5, 90, 7],
        ["gw-1", "b1", 6, 6, null, null],
        ["gw-1", "b1", 8, 8, null, null],
        ["gw-2", "b1", 1, 1, 100, null],
      ]);
      const columns = db.prepare("SELECT name FROM pragma_table_info('events')").pluck().all();
      expect(columns).not.toContain("clock_boot");
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'events_clock'").get()).toBeUndefined();
    } finally {
      db.close();
    }
  });
});
