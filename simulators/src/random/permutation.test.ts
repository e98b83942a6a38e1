import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPermutation } from "./permutation.js";
import { createRandom } from "./random.js";

describe("createPermutation", () => {
  it("maps [0, size) onto itself without repeats for any size and seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer(), (size, seed) => {
        const permutation = createPermutation(size, createRandom(seed));
        const values = Array.from({ length: size }, (_, i) => permutation.at(i));
        expect(values.every((v) => Number.isInteger(v) && v >= 0 && v < size)).toBe(true);
        expect(new Set(values).size).toBe(size);
      }),
      { numRuns: 50 },
    );
  });

  it("gives distinct values over a huge range without remembering them", () => {
    const permutation = createPermutation(2 ** 40 + 7, createRandom(5));
    const values = Array.from({ length: 20_000 }, (_, i) => permutation.at(i));
    expect(new Set(values).size).toBe(values.length);
    expect(values.every((v) => v < 2 ** 40 + 7)).toBe(true);
  });

  it("shuffles: consecutive indexes do not map to consecutive values", () => {
    const permutation = createPermutation(1_000_000, createRandom(9));
    const steps = Array.from({ length: 100 }, (_, i) => Math.abs(permutation.at(i + 1) - permutation.at(i)));
    expect(steps.filter((step) => step === 1).length).toBeLessThan(3);
  });

  it("rejects an index outside the range", () => {
    const permutation = createPermutation(10, createRandom(1));
    expect(() => permutation.at(10)).toThrow(/index must be in \[0, 10\)/);
  });
});
