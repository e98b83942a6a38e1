import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { crossing, laneRead, slotState, T0, withPlate } from "../../counts/test-support/count-fixtures.js";
import { useCampusStores } from "./test-support/campus-stores.js";
import { derivedTablesOf } from "./test-support/derived-tables.js";

const MIN = 60_000;
const GW = "gw-1";

const stores = useCampusStores();
const open = (name: string) => stores.open(name);

const BATCHES: LotwatchEvent[][] = [
  [
    withPlate(laneRead(1, 0, "gate-in"), "KA01"),
    crossing(2, MIN, "main", 1, 3),
    slotState(3, MIN, "x1", true),
  ],
  [crossing(4, 2 * MIN, "stairs", 1), withPlate(laneRead(5, 3 * MIN, "gate-in"), "KA02")],
  [withPlate(laneRead(6, 4 * MIN, "gate-out"), "KA01"), slotState(7, 5 * MIN, "x1", false)],
];

/** Makes inserts into `table` fail, from another connection, as a full disk or a bug would. */
function failInserts(path: string, table: string, failing: boolean) {
  const db = new Database(path);
  try {
    db.exec(
      failing
        ? `CREATE TRIGGER derive_fails BEFORE INSERT ON ${table}
           BEGIN SELECT RAISE(ABORT, 'injected failure'); END`
        : "DROP TRIGGER derive_fails",
    );
  } finally {
    db.close();
  }
}

describe("counts and sessions derived after the events' commit", () => {
  it("derives from the stored rows what a failed second transaction left, with the next batch and on reopen", async () => {
    const reference = open("reference.db");
    for (const batch of BATCHES) await reference.insertBatch(GW, batch, T0 + 10 * MIN);
    await reference.close();

    const path = stores.file("broken.db");
    await open("broken.db").close();
    failInserts(path, "session_reads", true);
    let store = open("broken.db");
    const [first, second, third] = BATCHES as [LotwatchEvent[], LotwatchEvent[], LotwatchEvent[]];
    // The events are stored and acknowledged; their counts are not written yet.
    expect((await store.insertBatch(GW, first, T0 + 10 * MIN)).inserted).toBe(3);
    expect(await store.getEvent(GW, 3)).not.toBeNull();
    expect(await store.currentCounts("campus")).toEqual([]);

    failInserts(path, "session_reads", false);
    await store.insertBatch(GW, second, T0 + 10 * MIN);
    expect((await store.currentCounts("campus")).find((row) => row.space === "garage")?.reading.count).toBe(
      2,
    );

    failInserts(path, "session_reads", true);
    await store.insertBatch(GW, third, T0 + 10 * MIN);
    await store.close();
    failInserts(path, "session_reads", false);
    store = open("broken.db");
    await store.close();

    expect(derivedTablesOf(path)).toEqual(derivedTablesOf(stores.file("reference.db")));
    expect(derivedTablesOf(path).sessions).toHaveLength(2);
  });

  it("derives a long run of underived rows on reopen, every one of them once", async () => {
    const crossings = Array.from({ length: 150 }, (_, i) => [crossing(i + 1, i * 1000, "main", 1)]);
    const reference = open("reference.db");
    for (const batch of crossings) await reference.insertBatch(GW, batch, T0 + 10 * MIN);
    await reference.close();

    const path = stores.file("broken.db");
    await open("broken.db").close();
    failInserts(path, "count_chunks", true);
    const store = open("broken.db");
    for (const batch of crossings) await store.insertBatch(GW, batch, T0 + 10 * MIN);
    await store.close();
    failInserts(path, "count_chunks", false);
    await open("broken.db").close();

    expect(derivedTablesOf(path)).toEqual(derivedTablesOf(stores.file("reference.db")));
    expect(derivedTablesOf(path).steps["campus/floor-1/flow"]).toHaveLength(150);
  });

  it("derives a batch of many events (its own second transaction) as it derives them one at a time", async () => {
    const events = Array.from({ length: 200 }, (_, i): LotwatchEvent => {
      const seq = i + 1;
      if (i % 10 === 3)
        return withPlate(laneRead(seq, i * 1000, i % 20 === 3 ? "gate-in" : "gate-out"), `KA${i % 7}`);
      if (i % 10 === 7) return slotState(seq, i * 1000, i % 20 === 7 ? "x1" : "x2", i % 40 < 20);
      return crossing(seq, i * 1000, i % 3 === 0 ? "stairs" : "main", i % 4 === 0 ? -1 : 1);
    });
    const reference = open("reference.db");
    for (const event of events) await reference.insertBatch(GW, [event], T0 + 10 * MIN);
    await reference.close();
    const store = open("whole.db");
    await store.insertBatch(GW, events, T0 + 10 * MIN);
    await store.close();
    expect(derivedTablesOf(stores.file("whole.db"))).toEqual(derivedTablesOf(stores.file("reference.db")));
    expect(derivedTablesOf(stores.file("whole.db")).sessions.length).toBeGreaterThan(0);
  });

  it("counts every batch once when another batch of its group failed and rolled back", async () => {
    const reference = open("reference.db");
    for (const batch of BATCHES) await reference.insertBatch(GW, batch, T0 + 10 * MIN);
    await reference.close();

    const path = stores.file("grouped.db");
    await open("grouped.db").close();
    // The second of three batches handed in together fails: its savepoint rolls back, and the
    // others commit; the group's counts come from the rows.
    const store = open("grouped.db");
    const [first, second, third] = BATCHES as [LotwatchEvent[], LotwatchEvent[], LotwatchEvent[]];
    const broken = { ...(second[0] as LotwatchEvent), occurredAt: "not a time" } as LotwatchEvent;
    const results = await Promise.allSettled([
      store.insertBatch(GW, first, T0 + 10 * MIN),
      store.insertBatch(GW, [broken], T0 + 10 * MIN),
      store.insertBatch(GW, third, T0 + 10 * MIN),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    await store.insertBatch(GW, second, T0 + 10 * MIN);
    await store.close();

    expect(derivedTablesOf(path)).toEqual(derivedTablesOf(stores.file("reference.db")));
  });
});
