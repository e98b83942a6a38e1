import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { ClockSettings } from "../../clock/clock-settings.js";
import { type SimulatedBoot, sendIn, stampIn } from "../../clock/test-support/gateway-clock.js";
import { crossing, laneRead, slotState, T0, withPlate } from "../../counts/test-support/count-fixtures.js";
import type { Store } from "../store.js";
import { useCampusStores } from "./test-support/campus-stores.js";
import { derivedTablesOf } from "./test-support/derived-tables.js";

const MIN = 60_000;
const H = 60 * MIN;
const GW = "gw-1";

const stores = useCampusStores();
const open = (name = "clock.db", clock: Partial<ClockSettings> = {}) => stores.open(name, clock);

/** A reading that truly happened at `trueAt`, as the boot stamps it. */
interface Truth {
  event: LotwatchEvent;
  trueAt: number;
}
const truth = (boot: SimulatedBoot, event: LotwatchEvent, trueAt: number, sender?: SimulatedBoot) => ({
  event: stampIn(boot, event, trueAt, sender),
  trueAt,
});
const send = (store: Store, boot: SimulatedBoot, readings: Truth[], sentAt: number, transitMs: number) => {
  const { envelope, receivedAt } = sendIn(boot, sentAt, transitMs);
  return store.insertBatch(
    GW,
    readings.map((r) => r.event),
    receivedAt,
    [],
    envelope,
  );
};
const storedTimes = async (store: Store, readings: Truth[]) =>
  Promise.all(readings.map(async (r) => (await store.getEvent(GW, r.event.seq))?.t));

describe("gateway clock correction in the SQLite store", () => {
  const behind: SimulatedBoot = { bootId: "boot-1", bootAt: T0 - MIN, wallErrorMs: -3 * H, synced: false };

  it("re-times stored readings when a better anchor arrives, ending as if it had come first", async () => {
    const queued = [
      truth(behind, withPlate(laneRead(1, 0, "gate-in"), "KA01"), T0),
      truth(behind, slotState(2, 0, "x1", true), T0 + MIN),
      truth(behind, crossing(3, 0, "main", 1, 2), T0 + 2 * MIN),
      truth(behind, slotState(4, 0, "x2", true), T0 + 3 * MIN),
    ];
    const live = [
      truth(behind, slotState(5, 0, "x1", false), T0 + 5 * MIN),
      truth(behind, withPlate(laneRead(6, 0, "gate-out"), "KA01"), T0 + 6 * MIN),
      truth(behind, crossing(7, 0, "main", -1), T0 + 7 * MIN),
    ];
    // The first envelope sat 40 s in a queue; the ingest saw it first, with a 40 s late anchor.
    const late = open("late.db");
    await send(late, behind, queued, T0 + 4 * MIN, 40_000);
    await send(late, behind, live, T0 + 8 * MIN, 50);
    const good = open("good.db");
    await send(good, behind, live, T0 + 8 * MIN, 50);
    await send(good, behind, queued, T0 + 4 * MIN, 40_000);

    const all = [...queued, ...live];
    const goodTimes = await storedTimes(good, all);
    expect(await storedTimes(late, all)).toEqual(goodTimes);
    for (const store of [late, good]) await store.close();
    const tables = (name: string) => derivedTablesOf(stores.file(name));
    const expected = tables("good.db");
    expect(expected.sessions).toHaveLength(1);
    expect(tables("late.db")).toEqual(expected);
    // Handed in together, the two share a commit: the second re-times the first's readings before
    // their counts and sessions were written (derivation.ts), which must then count them once.
    const grouped = open("grouped.db");
    await Promise.all([
      send(grouped, behind, queued, T0 + 4 * MIN, 40_000),
      send(grouped, behind, live, T0 + 8 * MIN, 50),
    ]);
    expect(await storedTimes(grouped, all)).toEqual(goodTimes);
    await grouped.close();
    expect(tables("grouped.db")).toEqual(expected);
  });

  it("keeps one clock span for a run of batches of a wrong clock, not a row per event", async () => {
    const store = open("spans.db");
    const reading = (seq: number) => truth(behind, slotState(seq, 0, "x1", seq % 2 === 0), T0 + seq * MIN);
    for (let batch = 0; batch < 3; batch++) {
      const readings = [1, 2, 3].map((i) => reading(batch * 3 + i));
      await send(store, behind, readings, T0 + (batch * 3 + 4) * MIN, 40_000);
    }
    // A far shorter transit moves the anchor earlier: seqs 1-9 are re-timed to its base, and 10 joins them.
    await send(store, behind, [reading(10)], T0 + 11 * MIN, 50);
    await store.close();
    const db = new Database(stores.file("spans.db"), { readonly: true });
    try {
      expect(db.prepare("SELECT from_seq, to_seq FROM clock_spans").raw().all()).toEqual([[1, 10]]);
    } finally {
      db.close();
    }
  });
});
