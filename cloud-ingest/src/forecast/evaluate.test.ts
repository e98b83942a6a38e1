import { describe, expect, it } from "vitest";
import { evaluateForecast } from "./evaluate.js";

describe("forecast evaluation on a simulated mall", () => {
  it("beats the seasonal-naive baseline by a clear margin on the third week, with honest intervals", () => {
    const result = evaluateForecast({ seed: 1 });
    expect(result.origins).toBe(168);
    expect(result.points).toBeGreaterThan(3900);
    // Seed 1 measured 0.55 (README "Forecast"); a model no better than last week would be ~1.
    expect(result.ratio).toBeLessThan(0.7);
    expect(result.coverage).toBeGreaterThan(0.7);
    expect(result.coverage).toBeLessThan(0.95);
  });
});
