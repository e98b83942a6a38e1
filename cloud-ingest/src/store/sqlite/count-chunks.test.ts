import { describe, expect, it } from "vitest";
import { cutChunks, mergeEntries, normalize } from "./count-chunks.js";

const pairs = (...values: number[]) => Float64Array.from(values);

describe("count chunk entries", () => {
  it("sorts ops, sums those at the same time and drops the sums that come to nothing", () => {
    const ops = [
      { t: 5, delta: 1 },
      { t: 1, delta: 2 },
      { t: 3, delta: 1 },
      { t: 3, delta: -1 },
      { t: 5, delta: 1 },
      { t: 9, delta: -4 },
      { t: 9, delta: 4 },
    ];
    expect(normalize(ops)).toEqual(pairs(1, 2, 5, 2));
  });

  it("merges a later run by appending it, and an overlapping one by time, summing shared times", () => {
    expect(mergeEntries(pairs(1, 1, 2, 1), pairs(3, 1))).toEqual(pairs(1, 1, 2, 1, 3, 1));
    expect(mergeEntries(pairs(1, 1, 4, 2, 6, 1), pairs(0, 3, 4, -2, 5, 1, 9, 1))).toEqual(
      pairs(0, 3, 1, 1, 5, 1, 6, 1, 9, 1),
    );
  });

  it("fills the last chunk before starting the next, and splits a middle one evenly", () => {
    const entries = pairs(10, 1, 20, 1, 30, 1, 40, 1, 50, 1);
    expect(cutChunks(0, 7, entries, true, 2).map(({ start, base }) => [start, base])).toEqual([
      [0, 7],
      [30, 9],
      [50, 11],
    ]);
    expect(
      cutChunks(15, 0, entries, false, 4).map(({ start, entries }) => [start, entries.length / 2]),
    ).toEqual([
      [10, 3],
      [40, 2],
    ]);
  });
});
