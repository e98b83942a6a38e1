import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLoopDetector } from "./loop-detector.js";

const DEBOUNCE = 20;

/** Feeds (active, t) edges and lets all time pass; returns the arrival times. */
function run(edges: Array<[boolean, number]>): number[] {
  const loop = createLoopDetector(DEBOUNCE);
  const arrivals = edges.flatMap(([active, t]) => loop.edge(active, t));
  return [...arrivals, ...loop.tick(Number.MAX_SAFE_INTEGER)];
}

describe("createLoopDetector", () => {
  it("property: one vehicle per presence, whatever bounces shorter than the debounce period add", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            stay: fc.integer({ min: 3 * DEBOUNCE, max: 5000 }),
            away: fc.integer({ min: 3 * DEBOUNCE, max: 5000 }),
            bounce: fc.integer({ min: 0, max: DEBOUNCE - 3 }),
          }),
          {
            maxLength: 20,
          },
        ),
        (vehicles) => {
          let t = 0;
          const edges: Array<[boolean, number]> = [];
          const expected: number[] = [];
          for (const { stay, away, bounce } of vehicles) {
            expected.push(t);
            edges.push([true, t]);
            if (bounce > 0) edges.push([false, t + 1], [true, t + 1 + bounce]);
            edges.push([false, t + stay]);
            t += stay + away;
          }
          const arrivals = run(edges);
          expect(arrivals).toHaveLength(expected.length);
          // A bounce moves the arrival to the end of the bounce, never further than the debounce period.
          arrivals.forEach((at, index) => {
            expect(at - (expected[index] ?? 0)).toBeLessThan(DEBOUNCE);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("ignores a presence shorter than the debounce period", () => {
    expect(
      run([
        [true, 0],
        [false, DEBOUNCE - 1],
      ]),
    ).toEqual([]);
  });
});
