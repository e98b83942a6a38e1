import { join } from "node:path";
import { createSilentLogger } from "@lotwatch/cloud-ingest/logging/create-logger.js";
import { createSqliteStore } from "@lotwatch/cloud-ingest/store/sqlite/sqlite-store.js";
import { loadTopology } from "@lotwatch/cloud-ingest/topology/load-topology.js";
import { createTopologyIndex } from "@lotwatch/cloud-ingest/topology/topology-index.js";
import { EventSchema, type LotwatchEvent } from "@lotwatch/protocol/events.js";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../harness/temp-dir.js";
import { CAMPUS_GATEWAY, CAMPUS_SITE, writeCampusTopology } from "./campus-topology.js";
import {
  createCountDatabase,
  crossingOf,
  ENVELOPE,
  eventIdOf,
  RECEIVED_AT,
  START_MS,
} from "./count-database.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

/** Every table's rows in a stable order; migration times differ between files, so they are left out. */
function dump(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((table) => {
        if (table === "schema_migrations") {
          return [table, db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all()];
        }
        const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map(
          (column) => column.name,
        );
        return [table, db.prepare(`SELECT * FROM ${table} ORDER BY ${columns.join(", ")}`).all()];
      }),
    );
  } finally {
    db.close();
  }
}

describe("bulk-built count database", () => {
  it("holds exactly the rows the store's insert path writes for the same crossings", async () => {
    const dir = makeTempDir("count-db-test");
    dirs.push(dir);
    const topologyPath = writeCampusTopology(join(dir, "topology.json"));
    const bulk = await createCountDatabase(join(dir, "bulk.db"), topologyPath);
    bulk.growTo(1_500);
    bulk.growTo(3_000);

    const topology = createTopologyIndex(loadTopology(topologyPath));
    const doors = [...(topology.sites.get(CAMPUS_SITE)?.doors.keys() ?? [])];
    const store = createSqliteStore({ path: join(dir, "store.db"), topology, logger: createSilentLogger() });
    const events: LotwatchEvent[] = [];
    for (let seq = 1; seq <= 3_000; seq++) {
      const { door, direction, t } = crossingOf(seq, doors.length);
      events.push(
        EventSchema.parse({
          type: "door.crossing",
          id: eventIdOf(seq, t),
          seq,
          site: CAMPUS_SITE,
          occurredAt: new Date(t).toISOString(),
          uptimeMs: t - START_MS,
          door: doors[door],
          direction,
        }),
      );
    }
    for (let from = 0; from < events.length; from += ENVELOPE) {
      await store.insertBatch(CAMPUS_GATEWAY, events.slice(from, from + ENVELOPE), RECEIVED_AT);
    }
    await store.close();

    const expected = dump(join(dir, "store.db"));
    expect((expected.event_batches ?? []).length).toBe(3_000 / ENVELOPE);
    // More chunks than spaces: some stream's entries ran over into a second chunk.
    expect((expected.count_chunks ?? []).length).toBeGreaterThan(bulk.spaces.length);
    expect(dump(bulk.path)).toEqual(expected);
    expect(bulk.events()).toBe(3_000);
  });
});
