import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countDeltasFor } from "../../counts/count-deltas.js";
import { countSourcesOf, spaceChain } from "../../counts/count-sources.js";
import {
  campusSite,
  campusTopology,
  crossing,
  laneRead,
  slotState,
  T0,
} from "../../counts/test-support/count-fixtures.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import type { Store } from "../store.js";
import { compareKeys } from "./count-timeline.js";
import { createSqliteStore } from "./sqlite-store.js";
import { countStepsOf } from "./test-support/count-steps.js";

interface Sent {
  gateway: string;
  event: LotwatchEvent;
}

const site = campusSite();
const sources = countSourcesOf(site);
const GATEWAYS = ["gw-a", "gw-b", "gw-c"] as const;
const LANES = ["gate-in", "gate-out", "yard-in"];
const DOORS = ["main", "a-b", "stairs"];
const SLOTS = ["x1", "x2", "y1", "yard-1"];
/** Few distinct instants, so many events share one and the (gateway, seq) tie-break matters. */
const SECONDS = 12;
/** Few plates, and lane reads spread over 77 s, so reads repeat within the 30 s debounce and beyond it. */
const PLATES = ["KA01AA0001", "KA01AA0002"];
const LANE_STEP_MS = 7_000;
const DEBOUNCE_MS = 30_000;

const readingArb = fc.oneof(
  fc.record({
    kind: fc.constant("lane" as const),
    lane: fc.constantFrom(...LANES),
    plate: fc.constantFrom(...PLATES),
  }),
  fc.record({
    kind: fc.constant("door" as const),
    door: fc.constantFrom(...DOORS),
    direction: fc.constantFrom(1 as const, -1 as const),
    count: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant("slot" as const), slot: fc.constantFrom(...SLOTS), occupied: fc.boolean() }),
);

/** Events from three gateways, each with its own increasing seq. */
const eventsArb = fc
  .array(
    fc.record({
      gateway: fc.constantFrom(...GATEWAYS),
      t: fc.integer({ min: 0, max: SECONDS - 1 }),
      reading: readingArb,
    }),
    { minLength: 1, maxLength: 30 },
  )
  .map((drafts) => {
    const seqs = new Map<string, number>();
    return drafts.map(({ gateway, t, reading }): Sent => {
      const seq = (seqs.get(gateway) ?? 0) + 1;
      seqs.set(gateway, seq);
      const ms = t * 1000;
      const event =
        reading.kind === "lane"
          ? { ...laneRead(seq, t * LANE_STEP_MS, reading.lane), plate: reading.plate }
          : reading.kind === "door"
            ? crossing(seq, ms, reading.door, reading.direction, reading.count)
            : slotState(seq, ms, reading.slot, reading.occupied);
      return { gateway, event };
    });
  });

/** The same events in another order and batching, with some sent twice. */
const deliveryArb = eventsArb.chain((events) =>
  fc.record({
    events: fc.constant(events),
    order: fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
    repeats: fc.subarray(events),
    batchSizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 40 }),
  }),
);

const keyOf = (sent: Sent) => ({
  t: Date.parse(sent.event.occurredAt),
  gateway: sent.gateway,
  seq: sent.event.seq,
});

/**
 * The reads that count: a read of a plate on a lane of the same kind within 30 s of the previous
 * such read is a repeat (DESIGN.md "Sessions": repeated reads are one read).
 */
function repeatedReads(events: Sent[]): Set<Sent> {
  const repeats = new Set<Sent>();
  const previous = new Map<string, number>();
  for (const sent of [...events].sort((a, b) => compareKeys(keyOf(a), keyOf(b)))) {
    const { event } = sent;
    if (event.type !== "vehicle.entry" && event.type !== "vehicle.exit") continue;
    const key = `${event.type} ${event.lane} ${event.plate}`;
    const t = Date.parse(event.occurredAt);
    const before = previous.get(key);
    if (before !== undefined && t - before <= DEBOUNCE_MS) repeats.add(sent);
    previous.set(key, t);
  }
  return repeats;
}

/** The count by definition: a sum over every event at or before T, or the latest state of each bay. */
function bruteForce(events: Sent[], space: string, atMs: number): number {
  const source = sources.get(space);
  const repeats = repeatedReads(events);
  const upTo = events.filter((sent) => Date.parse(sent.event.occurredAt) <= atMs && !repeats.has(sent));
  if (source === "flow") {
    let sum = 0;
    for (const { event } of upTo) {
      const effect = countDeltasFor(site, event);
      if (effect.known) sum += effect.deltas.find((d) => d.space === space)?.delta ?? 0;
    }
    return sum;
  }
  if (source === "slots") {
    let occupied = 0;
    for (const [slot, { space: slotSpace }] of site.slots) {
      if (!spaceChain(site, slotSpace).includes(space)) continue;
      const states = upTo.filter((sent) => sent.event.type === "slot.state" && sent.event.slot === slot);
      const latest = states.sort((a, b) => compareKeys(keyOf(a), keyOf(b))).at(-1);
      if (latest?.event.type === "slot.state" && latest.event.occupied) occupied++;
    }
    return occupied;
  }
  return 0;
}

let dir: TempDir;
let run = 0;
beforeAll(() => {
  dir = createTempDir("lotwatch-count-order-");
});
afterAll(() => dir.remove());

async function deliver(path: string, batches: Sent[][]): Promise<Store> {
  const store = createSqliteStore({ path, topology: campusTopology(), logger: createSilentLogger() });
  for (const batch of batches) {
    // A gateway's envelope carries only its own events.
    for (const gateway of GATEWAYS) {
      const own = batch.filter((sent) => sent.gateway === gateway).map((sent) => sent.event);
      if (own.length > 0) await store.insertBatch(gateway, own, T0);
    }
  }
  return store;
}

function dump(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return {
      steps: countStepsOf(db),
      slots: db.prepare("SELECT * FROM slot_states ORDER BY site, slot, t, gateway, seq").all(),
    };
  } finally {
    db.close();
  }
}

function cut(events: Sent[], sizes: number[]): Sent[][] {
  const batches: Sent[][] = [];
  let i = 0;
  for (let b = 0; i < events.length; b++) {
    const size = sizes[b % sizes.length] ?? 1;
    batches.push(events.slice(i, i + size));
    i += size;
  }
  return batches;
}

describe("count order independence", () => {
  it("answers every count at every time as the brute-force sum, whatever the order, batching and repeats", async () => {
    await fc.assert(
      fc.asyncProperty(deliveryArb, async ({ events, order, repeats, batchSizes }) => {
        run++;
        const shuffledPath = dir.file(`shuffled-${run}.db`);
        const canonicalPath = dir.file(`canonical-${run}.db`);
        const shuffled = await deliver(shuffledPath, cut([...order, ...repeats], batchSizes));
        const canonical = await deliver(canonicalPath, [events]);
        try {
          for (const space of site.spaces.keys()) {
            const times = Array.from({ length: 82 }, (_, i) => T0 + (i - 1) * 1000);
            const answers = (await shuffled.countsAt("campus", space, times)).map((r) => r.rawCount);
            expect(answers, space).toEqual(times.map((t) => bruteForce(events, space, t)));
            const current = (await shuffled.currentCounts("campus")).find((row) => row.space === space);
            expect(current?.reading.rawCount ?? 0, space).toBe(
              bruteForce(events, space, Number.MAX_SAFE_INTEGER),
            );
          }
        } finally {
          await shuffled.close();
          await canonical.close();
        }
        expect(dump(shuffledPath)).toEqual(dump(canonicalPath));
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
