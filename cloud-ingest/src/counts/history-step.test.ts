import { describe, expect, it } from "vitest";
import { parseStep, stepCount, stepTimes } from "./history-step.js";

describe("parseStep", () => {
  it("reads short steps and ISO-8601 durations", () => {
    expect(parseStep("30s")).toBe(30_000);
    expect(parseStep("5m")).toBe(300_000);
    expect(parseStep("1h")).toBe(3_600_000);
    expect(parseStep("1d")).toBe(86_400_000);
    expect(parseStep("PT5M")).toBe(300_000);
    expect(parseStep("pt90s")).toBe(90_000);
    expect(parseStep("P1DT12H")).toBe(129_600_000);
    expect(parseStep("PT0.5S")).toBe(500);
  });

  it("refuses zero, empty and malformed steps", () => {
    for (const bad of ["0m", "PT0S", "P", "PT", "5", "5 m", "1w", "-5m", "P1H", ""]) {
      expect(parseStep(bad), bad).toBeNull();
    }
  });
});

describe("stepTimes", () => {
  it("lists boundaries from `from` up to and including `to`", () => {
    expect(stepTimes(0, 10, 5)).toEqual([0, 5, 10]);
    expect(stepTimes(0, 9, 5)).toEqual([0, 5]);
    expect(stepCount(0, 9, 5)).toBe(2);
    expect(stepCount(0, 10, 5)).toBe(3);
    expect(stepCount(10, 0, 5)).toBe(0);
  });
});
