import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import { createTopologyIndex } from "../../topology/topology-index.js";
import { SEQ_SPAN } from "./event-batches.js";
import { EVENT_BATCHES_MIGRATION } from "./event-batches-schema.js";
import { MIGRATIONS, migrate } from "./migrations.js";
import { openDatabase } from "./open-database.js";
import { createSqliteStore } from "./sqlite-store.js";

let dir: TempDir;
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

type OldRow = [
  gateway: string,
  seq: number,
  type: string,
  receivedAt: number,
  unknownSource: number,
  body: string,
  t: number,
];

const OLD_ROWS: OldRow[] = [
  ["gw-1", 1, "door.crossing", 100, 0, '{"door":"door-1","direction":1}', 11],
  ["gw-1", 2, "door.crossing", 100, 1, '{"door":"door-x","direction":-1}', 12],
  ["gw-1", 3, "gateway.gap", 100, 0, '{"fromSeq":4,"toSeq":9,"reason":"buffer-cap-bytes"}', 13],
  // Received later, and a resend that filled a hole: rows of their own.
  [
    "gw-1",
    10,
    "door.crossing",
    200,
    0,
    '{"occurredAt":"2026-11-22T10:00:00Z","door":"door-1","direction":1}',
    20,
  ],
  ["gw-1", 5, "slot.state", 300, 0, '{"slot":"L1-001","occupied":true}', 15],
  ["gw-1", 10 + SEQ_SPAN, "door.crossing", 300, 0, '{"door":"door-1","direction":1}', 30],
  ["gw-2", 1, "vehicle.entry", 100, 0, '{"lane":"entry-1","plate":"KA01AB1234","confidence":0.9}', 40],
];

describe("migration 13 (events stored per batch)", () => {
  it("carries every stored event into batch rows, and the events view reads them back as they were", async () => {
    const path = dir.file("old.db");
    const db = openDatabase(path);
    try {
      migrate(
        db,
        MIGRATIONS.filter((migration) => migration.version < EVENT_BATCHES_MIGRATION.version),
      );
      const insert = db.prepare(
        `INSERT INTO events (gateway, seq, id, type, site, occurred_at, received_at, unknown_source, body, t)
         VALUES (?, ?, ?, ?, 'mall-a', ?, ?, ?, ?, ?)`,
      );
      for (const [gateway, seq, type, receivedAt, unknownSource, body, t] of OLD_ROWS) {
        insert.run(gateway, seq, `id-${seq}`, type, 1000 + seq, receivedAt, unknownSource, body, t);
      }
      const before = db.prepare("SELECT * FROM events ORDER BY gateway, seq").all();
      expect(
        migrate(
          db,
          MIGRATIONS.filter((migration) => migration.version <= EVENT_BATCHES_MIGRATION.version),
        ),
      ).toEqual([EVENT_BATCHES_MIGRATION.version]);
      expect(db.prepare("SELECT * FROM events ORDER BY gateway, seq").all()).toEqual(before);
      const batches = db
        .prepare(
          "SELECT gateway, from_seq, to_seq, received_at, events, unknown_source FROM event_batches ORDER BY id",
        )
        .raw()
        .all();
      expect(batches).toEqual([
        ["gw-1", 1, 3, 100, 3, 1],
        ["gw-1", 5, 5, 300, 1, 0],
        ["gw-1", 10, 10, 200, 1, 0],
        ["gw-1", 10 + SEQ_SPAN, 10 + SEQ_SPAN, 300, 1, 0],
        ["gw-2", 1, 1, 100, 1, 0],
      ]);
      expect(db.prepare("SELECT * FROM gateway_gaps").all()).toEqual([
        { gateway: "gw-1", seq: 3, from_seq: 4, to_seq: 9, reason: "buffer-cap-bytes", occurred_at: 1003 },
      ]);
    } finally {
      db.close();
    }

    const topology = createTopologyIndex({ sites: [] });
    const store = createSqliteStore({ path, topology, logger: createSilentLogger() });
    try {
      const stored = await store.getEvent("gw-1", 10);
      expect(stored).toMatchObject({ receivedAt: 200, t: 20, unknownSource: false });
      expect(stored?.event).toEqual({
        type: "door.crossing",
        id: "id-10",
        seq: 10,
        site: "mall-a",
        occurredAt: "2026-11-22T10:00:00Z",
        door: "door-1",
        direction: 1,
      });
      expect(await store.totals()).toMatchObject({ events: OLD_ROWS.length, unknownSource: 1 });
    } finally {
      await store.close();
    }
  });
});
