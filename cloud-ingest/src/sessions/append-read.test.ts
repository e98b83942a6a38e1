import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { appendRead } from "./append-read.js";
import type { Tariff } from "./fee.js";
import { type GroupContext, recomputeGroup } from "./recompute-group.js";
import type { VehicleRead } from "./session.js";
import type { SessionChanges, StoredSession } from "./session-changes.js";

const MIN = 60_000;
/** One plate group: exact, confusable and formatted variants of one plate. */
const PLATES = ["KA01AB1234", "ka-01 ab 1234", "KA0IAB1234", "KA01A81234", "KAO1AB1234", "KA0IA81234"];
const TARIFFS: (Tariff | null)[] = [
  { currency: "EUR", perHour: 2, freeMinutes: 15, dailyMax: 20 },
  { currency: "EUR", perHour: 3 },
  null,
];

const readArb = fc.record({
  gateway: fc.constantFrom("gw-a", "gw-b"),
  kind: fc.constantFrom("entry" as const, "exit" as const),
  plate: fc.constantFrom(...PLATES),
  lane: fc.constantFrom("lane-1", "lane-2"),
  // Few distinct times: equal times, repeats at and past the debounce, and day-long stays all happen.
  at: fc
    .tuple(fc.nat(20), fc.nat(4), fc.boolean())
    .map(([minutes, tens, nextDay]) => (nextDay ? 25 * 60 * MIN : 0) + minutes * MIN + tens * 10_000),
});

/** The reads in the order they arrive, each with a unique (gateway, seq). */
const arrivalsArb = fc
  .tuple(fc.array(readArb, { minLength: 1, maxLength: 14 }), fc.boolean())
  .map(([reads, inOrder]) => {
    const numbered: VehicleRead[] = reads.map((read, i) => ({ ...read, seq: i + 1 }));
    // Mostly time order, as vehicles pass; sometimes as generated (late and reordered reads).
    return inOrder ? [...numbered].sort((a, b) => a.at - b.at) : numbered;
  });

/** What a store keeps: the changes applied, live records' ids on their sessions. */
function apply(stored: StoredSession[], changes: SessionChanges, nextRecord: () => number): StoredSession[] {
  const byId = new Map(stored.map((session) => [session.id, session]));
  for (const id of changes.deletes) byId.delete(id);
  const recordIds = new Map<string, number>();
  for (const draft of changes.records) {
    const recordId = nextRecord();
    if (draft.live) recordIds.set(draft.session.id, recordId);
  }
  for (const session of changes.upserts) {
    const lastRecordId = recordIds.get(session.id) ?? byId.get(session.id)?.lastRecordId ?? null;
    byId.set(session.id, { ...session, lastRecordId });
  }
  return [...byId.values()];
}

describe("appendRead", () => {
  it("returns exactly what recomputeGroup does whenever the read sorts after every earlier one", () => {
    let appended = 0;
    fc.assert(
      fc.property(
        arrivalsArb,
        fc.array(fc.nat(TARIFFS.length - 1), { minLength: 1 }),
        (arrivals, tariffs) => {
          let records = 0;
          let stored: StoredSession[] = [];
          const earlier: VehicleRead[] = [];
          arrivals.forEach((read, i) => {
            // The site's tariff may change between reads; both paths must re-price alike.
            const context: GroupContext = {
              site: "mall-a",
              plateKey: "KA0IA8I234",
              tariff: TARIFFS[tariffs[i % tariffs.length] as number] ?? null,
              debounceMs: 30_000,
            };
            const full = recomputeGroup([...earlier, read], stored, context);
            const fast = appendRead(read, earlier, stored, context);
            const last = earlier.every((other) => other.at < read.at);
            if (last) expect(fast).not.toBeNull();
            if (fast !== null) {
              appended++;
              expect(fast).toEqual(full);
            }
            earlier.push(read);
            stored = apply(stored, full, () => ++records);
          });
        },
      ),
      { numRuns: 400 },
    );
    expect(appended).toBeGreaterThan(1000);
  });

  it("declines a read that sorts before an earlier one", () => {
    const context: GroupContext = { site: "mall-a", plateKey: "K", tariff: null };
    const read = (seq: number, at: number): VehicleRead => ({
      gateway: "gw-a",
      seq,
      kind: "entry",
      plate: "KA01AB1234",
      lane: "lane-1",
      at,
    });
    expect(appendRead(read(1, 1000), [read(2, 2000)], [], context)).toBeNull();
    expect(appendRead(read(1, 2000), [read(2, 2000)], [], context)).toBeNull();
    expect(appendRead(read(3, 2000), [read(2, 2000)], [], context)).not.toBeNull();
  });
});
