import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRandom } from "./random.js";

const take = (seed: number, n: number) => {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => random.next());
};

describe("createRandom", () => {
  it("gives the same sequence for the same seed", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        expect(take(seed, 20)).toEqual(take(seed, 20));
      }),
    );
  });

  it("gives different sequences for different seeds, including seeds 2^32 apart", () => {
    expect(take(1, 10)).not.toEqual(take(2, 10));
    expect(take(1, 10)).not.toEqual(take(2 ** 32 + 1, 10));
  });

  it("keeps next() in [0, 1)", () => {
    const values = take(7, 10_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });

  it("keeps int(min, max) within both ends and reaches each of them", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 0, max: 5 }),
        (seed, min, span) => {
          const random = createRandom(seed);
          const values = Array.from({ length: 400 }, () => random.int(min, min + span));
          expect(values.every((v) => Number.isInteger(v) && v >= min && v <= min + span)).toBe(true);
          expect(new Set(values).size).toBe(span + 1);
        },
      ),
    );
  });

  it("picks only members of the array and rejects an empty one", () => {
    const random = createRandom(3);
    const items = ["a", "b", "c"] as const;
    for (let i = 0; i < 100; i++) expect(items).toContain(random.pick(items));
    expect(() => random.pick([])).toThrow(/non-empty/);
  });

  it("answers chance(0) never, chance(1) always and chance(0.3) about 30% of the time", () => {
    const random = createRandom(11);
    const rolls = (p: number) =>
      Array.from({ length: 10_000 }, () => random.chance(p)).filter(Boolean).length;
    expect(rolls(0)).toBe(0);
    expect(rolls(1)).toBe(10_000);
    expect(rolls(0.3)).toBeGreaterThan(2800);
    expect(rolls(0.3)).toBeLessThan(3200);
  });

  it("rejects a seed that is not a safe integer", () => {
    expect(() => createRandom(1.5)).toThrow(/seed must be a safe integer/);
  });
});
