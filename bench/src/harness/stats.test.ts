import { describe, expect, it } from "vitest";
import { verdictOf } from "./metrics.js";
import { median, quantile, ratioSamples, summarize } from "./stats.js";

describe("stats", () => {
  it("takes the middle value, or the mean of the two middle values", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("interpolates quartiles between ranks, so the IQR of 1..5 is 2", () => {
    const summary = summarize([5, 4, 3, 2, 1]);
    expect(summary).toMatchObject({ n: 5, median: 3, min: 1, max: 5, q1: 2, q3: 4, iqr: 2, mean: 3 });
    expect(quantile([10, 20], 0.25)).toBe(12.5);
  });

  it("ignores non-finite samples and reports NaN for none", () => {
    expect(summarize([1, Number.NaN, 3]).n).toBe(2);
    expect(Number.isNaN(summarize([]).median)).toBe(true);
  });

  it("pairs samples of the same rounds for ratios, else divides the medians", () => {
    expect(ratioSamples([10, 20], [5, 5])).toEqual([2, 4]);
    expect(ratioSamples([10, 20, 30], [10, 10])).toEqual([2]);
  });

  it("judges the median against the target in the stated direction", () => {
    expect(verdictOf(60_000, { op: ">=", value: 50_000 })).toBe("PASS");
    expect(verdictOf(21, { op: "<=", value: 20 })).toBe("MISS");
    expect(verdictOf(5, undefined)).toBeNull();
    expect(verdictOf(Number.NaN, { op: "<=", value: 20 })).toBeNull();
  });
});
