import { describe, expect, it } from "vitest";
import { createForecaster, type HistoryReader } from "./forecaster.js";

const STEP = 15 * 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 22, 10);

/** A space counted from `since` on, at 50 cars; records every time it is asked for. */
function recordingHistory(since: number) {
  const reads: number[][] = [];
  const history: HistoryReader = async (_site, _space, times) => {
    reads.push([...times]);
    return times.map((t) => (t >= since ? 50 : 0));
  };
  return { history, reads, asked: () => reads.flat() };
}

describe("createForecaster", () => {
  it("trains from the first counted step, then learns only the steps since the last answer", async () => {
    let now = T0;
    const source = recordingHistory(T0 - 3 * HOUR);
    const forecaster = createForecaster({ history: source.history, now: () => now });
    const first = await forecaster.forecast({ site: "s", space: "a", stepMs: STEP, horizonMs: 2 * HOUR });
    expect(first.model).toMatchObject({ observations: 13, firstAt: T0 - 3 * HOUR, lastAt: T0, builtAt: T0 });
    expect(first.points.map((p) => p.t)).toEqual(Array.from({ length: 8 }, (_, i) => T0 + (i + 1) * STEP));
    expect(first.points[0]?.count).toBeCloseTo(50, 0);
    // 28 days of steps, and the count now.
    expect(source.asked().length).toBe(28 * 96 + 1 + 1);

    source.reads.length = 0;
    now = T0 + 20 * 60_000;
    const second = await forecaster.forecast({ site: "s", space: "a", stepMs: STEP, horizonMs: 2 * HOUR });
    expect(source.reads).toEqual(expect.arrayContaining([[T0 + STEP], [now]]));
    expect(source.reads).toHaveLength(2);
    expect(second.model).toMatchObject({ observations: 14, builtAt: T0 });
    expect(second.points[0]?.t).toBe(T0 + 2 * STEP);
  });

  it("retrains from scratch once the model is older than rebuildMs, so late events reach it", async () => {
    let now = T0;
    const source = recordingHistory(T0 - HOUR);
    const forecaster = createForecaster({ history: source.history, now: () => now, rebuildMs: HOUR });
    await forecaster.forecast({ site: "s", space: "a", stepMs: STEP, horizonMs: HOUR });
    now = T0 + HOUR;
    source.reads.length = 0;
    const later = await forecaster.forecast({ site: "s", space: "a", stepMs: STEP, horizonMs: HOUR });
    expect(source.asked().length).toBe(28 * 96 + 1 + 1);
    expect(later.model.builtAt).toBe(T0 + HOUR);
  });

  it("starts from the count now, even before a grid step holds it", async () => {
    const source = recordingHistory(T0 + 5 * 60_000);
    const forecaster = createForecaster({ history: source.history, now: () => T0 + 10 * 60_000 });
    const answer = await forecaster.forecast({ site: "s", space: "a", stepMs: STEP, horizonMs: HOUR });
    expect(answer.model.observations).toBe(0);
    expect(answer.points.map((p) => p.count)).toEqual([50, 50, 50, 50]);
  });

  it("lets concurrent requests for one space share one training", async () => {
    const source = recordingHistory(T0 - HOUR);
    const forecaster = createForecaster({ history: source.history, now: () => T0 });
    const request = { site: "s", space: "a", stepMs: STEP, horizonMs: HOUR };
    const answers = await Promise.all([forecaster.forecast(request), forecaster.forecast(request)]);
    expect(answers[0]?.points).toEqual(answers[1]?.points);
    expect(source.asked().length).toBe(28 * 96 + 1 + 2);
  });
});
