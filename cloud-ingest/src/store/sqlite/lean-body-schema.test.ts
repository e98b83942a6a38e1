import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import { type EventFields, eventFrom, slimRest } from "./event-body.js";
import { LEAN_BODY_MIGRATION } from "./lean-body-schema.js";
import { MIGRATIONS, migrate } from "./migrations.js";

let dir: TempDir;
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

const ID = "019a8b7c-1234-7abc-8def-0123456789ab";
const crossing = (occurredAt: string) => ({
  type: "door.crossing" as const,
  id: ID,
  seq: 7,
  site: "mall-a",
  occurredAt,
  uptimeMs: 1200,
  door: "door-1",
  direction: 1 as const,
});

describe("event bodies without the columns' fields", () => {
  it("gives back the event as received, occurredAt included when the ms column would not", () => {
    for (const occurredAt of [
      "2026-11-22T10:00:00.120Z",
      "2026-11-22T10:00:00Z",
      "2026-11-22T10:00:00.1234Z",
      "2026-02-30T10:00:00.000Z",
    ]) {
      const event = crossing(occurredAt);
      const ms = Date.parse(occurredAt);
      const rest = slimRest(event, ms);
      expect(JSON.stringify(rest)).not.toContain(ID);
      const fields = { id: ID, seq: 7, type: "door.crossing", site: "mall-a", occurred_at: ms };
      expect(eventFrom(fields, rest)).toEqual(event);
    }
    expect(slimRest(crossing("2026-11-22T10:00:00.120Z"), Date.parse("2026-11-22T10:00:00.120Z"))).toEqual({
      uptimeMs: 1200,
      door: "door-1",
      direction: 1,
    });
  });

  it("migration 10 slims the bodies stored before it, and the events read back unchanged", () => {
    const db = new Database(dir.file("old.db"));
    try {
      migrate(
        db,
        MIGRATIONS.filter((migration) => migration.version < LEAN_BODY_MIGRATION.version),
      );
      const insert = db.prepare(
        `INSERT INTO events (gateway, seq, id, type, site, occurred_at, received_at, body, t)
         VALUES ('gw-1', ?, ?, 'door.crossing', 'mall-a', ?, 5678, ?, ?)`,
      );
      const exact = { ...crossing("2026-11-22T10:00:00.120Z"), seq: 1 };
      const coarse = { ...crossing("2026-11-22T10:00:01Z"), seq: 2 };
      for (const event of [exact, coarse]) {
        const ms = Date.parse(event.occurredAt);
        insert.run(event.seq, event.id, ms, JSON.stringify(event), ms);
      }
      expect(
        migrate(
          db,
          MIGRATIONS.filter((migration) => migration.version <= LEAN_BODY_MIGRATION.version),
        ),
      ).toEqual([LEAN_BODY_MIGRATION.version]);
      const rows = db
        .prepare("SELECT id, seq, type, site, occurred_at, body FROM events ORDER BY seq")
        .all() as Array<EventFields & { body: string }>;
      expect(rows.map((row) => row.body)).toEqual([
        '{"uptimeMs":1200,"door":"door-1","direction":1}',
        '{"occurredAt":"2026-11-22T10:00:01Z","uptimeMs":1200,"door":"door-1","direction":1}',
      ]);
      expect(rows.map((row) => eventFrom(row, JSON.parse(row.body)))).toEqual([exact, coarse]);
      const table = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'events'").pluck().get();
      expect(table).toContain("WITHOUT ROWID");
    } finally {
      db.close();
    }
  });
});
