import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

describe("backoffDelay", () => {
  it("doubles from the initial delay up to the cap", () => {
    const top = (failures: number) => backoffDelay(failures, { initialMs: 100, maxMs: 1000 }, () => 1);
    expect([1, 2, 3, 4, 5, 20].map(top)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("jitters between half and all of the step", () => {
    expect(backoffDelay(3, { initialMs: 100, maxMs: 1000 }, () => 0)).toBe(200);
    expect(backoffDelay(3, { initialMs: 100, maxMs: 1000 }, () => 0.5)).toBe(300);
  });

  it("stays finite after very many failures", () => {
    expect(backoffDelay(5000, {}, () => 1)).toBe(60_000);
  });
});
