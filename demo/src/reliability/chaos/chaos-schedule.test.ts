import { createRandom } from "@lotwatch/simulators/random/random.js";
import { describe, expect, it } from "vitest";
import { chaosSchedule } from "./chaos-schedule.js";

describe("chaosSchedule", () => {
  it("has every kind of fault in each round of five, a few seconds apart", () => {
    const steps = chaosSchedule(createRandom(1), 10);
    for (const round of [steps.slice(0, 5), steps.slice(5)]) {
      expect(new Set(round.map((step) => step.fault.kind)).size).toBe(5);
    }
    for (const step of steps) expect(step.calmMs).toBeGreaterThanOrEqual(1_000);
  });

  it("replays the same schedule from the same seed", () => {
    expect(chaosSchedule(createRandom(42), 12)).toEqual(chaosSchedule(createRandom(42), 12));
  });
});
