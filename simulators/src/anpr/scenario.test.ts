import { ReadingSchema } from "@lotwatch/protocol/events.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AnprReading } from "./anpr-reading.js";
import { type AnprScenarioOptions, generateAnprReads } from "./scenario.js";
import { summarize } from "./summary.js";

const START = Date.parse("2026-11-22T10:00:00.000Z");
const read = (options: Partial<AnprScenarioOptions> & { seed: number; count: number }): AnprReading[] => [
  ...generateAnprReads({ startAt: START, ...options }),
];
const seeds = fc.integer({ min: 0, max: 2 ** 31 });

describe("generateAnprReads", () => {
  it("never lets the number of vehicles inside go below zero", () => {
    fc.assert(
      fc.property(seeds, fc.integer({ min: 0, max: 400 }), (seed, count) => {
        let inside = 0;
        for (const reading of read({ seed, count })) {
          inside += reading.type === "vehicle.entry" ? 1 : -1;
          expect(inside).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it("matches about matchRate of exits over 2,000 exits", () => {
    fc.assert(
      fc.property(seeds, fc.double({ min: 0, max: 1, noNaN: true }), (seed, matchRate) => {
        const summary = summarize(read({ seed, count: 5000, matchRate }));
        expect(summary.exits).toBeGreaterThanOrEqual(2000);
        expect(Math.abs(summary.matchedExits / summary.exits - matchRate)).toBeLessThan(0.05);
      }),
      { numRuns: 10 },
    );
  });

  it("matches 80% of exits by default", () => {
    const summary = summarize(read({ seed: 42, count: 5000 }));
    expect(Math.abs(summary.matchedExits / summary.exits - 0.8)).toBeLessThan(0.05);
  });

  it("gives unmatched exits plates that no entry ever had", () => {
    fc.assert(
      fc.property(seeds, fc.integer({ min: 0, max: 600 }), (seed, count) => {
        const reads = read({ seed, count });
        const entryPlates = new Set(reads.filter((r) => r.type === "vehicle.entry").map((r) => r.plate));
        const parked = new Set<string>();
        for (const reading of reads) {
          if (reading.type === "vehicle.entry") parked.add(reading.plate);
          else if (parked.has(reading.plate)) parked.delete(reading.plate);
          else expect(entryPlates.has(reading.plate)).toBe(false);
        }
      }),
    );
  });

  it("gives the same reads for the same seed, and others for another seed", () => {
    fc.assert(
      fc.property(seeds, fc.integer({ min: 1, max: 200 }), (seed, count) => {
        expect(read({ seed, count })).toEqual(read({ seed, count }));
      }),
    );
    expect(read({ seed: 1, count: 50 })).not.toEqual(read({ seed: 2, count: 50 }));
  });

  it("summarizes to entries − exits vehicles inside, with matched + unmatched = exits", () => {
    fc.assert(
      fc.property(seeds, fc.integer({ min: 0, max: 500 }), (seed, count) => {
        const reads = read({ seed, count });
        const summary = summarize(reads);
        expect(summary.entries + summary.exits).toBe(count);
        expect(summary.matchedExits + summary.unmatchedExits).toBe(summary.exits);
        expect(summary.expectedCount).toBe(summary.entries - summary.exits);
        expect(summary.expectedCount).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("emits valid wire-protocol readings on the configured lanes, 1/rate s apart", () => {
    const reads = read({ seed: 3, count: 200, rate: 4, entryLane: "gate-in", exitLane: "gate-out" });
    reads.forEach((reading, i) => {
      expect(ReadingSchema.safeParse(reading).success).toBe(true);
      expect(reading.lane).toBe(reading.type === "vehicle.entry" ? "gate-in" : "gate-out");
      expect(Date.parse(reading.occurredAt)).toBe(START + i * 250);
    });
  });

  it("streams endlessly when count is Infinity", () => {
    const reads = generateAnprReads({ seed: 1, count: Number.POSITIVE_INFINITY, startAt: START });
    let taken = 0;
    for (const _ of reads) if (++taken === 3000) break;
    expect(taken).toBe(3000);
  });

  it("rejects bad options when called, not on the first read", () => {
    expect(() => generateAnprReads({ seed: 1, count: 10, startAt: START, rate: 0 })).toThrow(/rate must be/);
    expect(() => generateAnprReads({ seed: 1, count: -1, startAt: START })).toThrow(/count must be/);
    expect(() => generateAnprReads({ seed: 1, count: 1, startAt: START, matchRate: 2 })).toThrow(/matchRate/);
    expect(() => generateAnprReads({ seed: 1, count: 1, startAt: START, entryLane: "a b" })).toThrow(
      /entryLane/,
    );
    expect(() => generateAnprReads({ seed: 1, count: 1, startAt: START, plateFormat: "" })).toThrow(
      /plate format/,
    );
  });
});
