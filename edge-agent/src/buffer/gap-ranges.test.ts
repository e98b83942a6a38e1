import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contiguousRanges } from "./gap-ranges.js";

describe("contiguousRanges", () => {
  it("splits ascending seqs into runs of consecutive integers", () => {
    expect(contiguousRanges([1, 2, 3, 5, 6, 9])).toEqual([
      { fromSeq: 1, toSeq: 3 },
      { fromSeq: 5, toSeq: 6 },
      { fromSeq: 9, toSeq: 9 },
    ]);
    expect(contiguousRanges([])).toEqual([]);
  });

  it("names exactly the given seqs, in disjoint ranges separated by a missing seq", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 500 }), { maxLength: 200 }), (raw) => {
        const seqs = [...raw].sort((a, b) => a - b);
        const ranges = contiguousRanges(seqs);
        const covered = ranges.flatMap((range) =>
          Array.from({ length: range.toSeq - range.fromSeq + 1 }, (_, i) => range.fromSeq + i),
        );
        expect(covered).toEqual(seqs);
        for (let i = 1; i < ranges.length; i++) {
          expect((ranges[i]?.fromSeq ?? 0) - (ranges[i - 1]?.toSeq ?? 0)).toBeGreaterThan(1);
        }
      }),
    );
  });
});
