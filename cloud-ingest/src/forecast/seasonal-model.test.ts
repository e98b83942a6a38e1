import { describe, expect, it } from "vitest";
import { DAY_MS, SeasonalModel, WEEK_MS } from "./seasonal-model.js";

const STEP = 15 * 60_000;
/** A Monday 00:00 UTC. */
const MONDAY = Date.UTC(2026, 10, 2);

/** Busy in the afternoon on weekdays, twice that on Saturday, closed on Sunday. */
function pattern(t: number): number {
  const day = Math.floor((t - MONDAY) / DAY_MS) % 7;
  const hour = ((t - MONDAY) % DAY_MS) / 3_600_000;
  const shape = hour < 8 || hour > 20 ? 0 : 100 * Math.sin(((hour - 8) / 12) * Math.PI);
  return day === 6 ? 0 : day === 5 ? 2 * shape : shape;
}

function train(model: SeasonalModel, from: number, to: number, value = pattern): void {
  for (let t = from; t < to; t += STEP) model.observe(t, value(t));
}

const timesAfter = (t: number, steps: number) => Array.from({ length: steps }, (_, i) => t + (i + 1) * STEP);

describe("SeasonalModel", () => {
  it("forecasts a repeating weekly pattern exactly once it has seen a week, Saturday included", () => {
    const model = new SeasonalModel({ stepMs: STEP, smoothingMs: 0 });
    train(model, MONDAY, MONDAY + 2 * WEEK_MS + 5 * DAY_MS + 9 * 3_600_000);
    const last = model.lastObservedAt ?? 0;
    const forecast = model.forecast(timesAfter(last, 24));
    for (const point of forecast) expect(point.count).toBeCloseTo(pattern(point.t), 6);
    expect(forecast[20]?.count).toBeGreaterThan(150);
    expect(model.state()).toMatchObject({ seasonality: "weekly", firstAt: MONDAY, lastAt: last });
  });

  it("raises the next hours when today runs busier than the weeks before", () => {
    const model = new SeasonalModel({ stepMs: STEP });
    train(model, MONDAY, MONDAY + 2 * WEEK_MS);
    const wednesday = MONDAY + 2 * WEEK_MS + 2 * DAY_MS;
    // Wednesday runs at 1.3 × the usual until 12:00.
    train(
      model,
      MONDAY + 2 * WEEK_MS,
      wednesday + 12 * 3_600_000,
      (t) => (t >= wednesday ? 1.3 : 1) * pattern(t),
    );
    const afternoon = model.forecast(timesAfter(wednesday + 11.75 * 3_600_000, 8));
    for (const point of afternoon) {
      expect(point.count).toBeGreaterThan(1.15 * pattern(point.t));
      expect(point.count).toBeLessThan(1.45 * pattern(point.t));
    }
  });

  it("gives intervals that hold the forecast and widen with the horizon when the counts are noisy", () => {
    const model = new SeasonalModel({ stepMs: STEP });
    let state = 1;
    const noise = () => {
      state = (state * 48271) % 2147483647;
      return (state / 2147483647 - 0.5) * 40;
    };
    let level = 0;
    train(model, MONDAY, MONDAY + 2 * WEEK_MS, (t) => {
      level = 0.9 * level + noise();
      return Math.max(0, pattern(t) + level);
    });
    const forecast = model.forecast(timesAfter(model.lastObservedAt ?? 0, 48));
    const first = forecast[0];
    const last = forecast[47];
    if (first === undefined || last === undefined) throw new Error("no points");
    for (const point of forecast) {
      expect(point.low).toBeLessThanOrEqual(point.count);
      expect(point.high).toBeGreaterThanOrEqual(point.count);
    }
    expect(last.high - last.low).toBeGreaterThan(first.high - first.low);
  });

  it("falls back to the mean before it has a day of history, and to zero with none", () => {
    const model = new SeasonalModel({ stepMs: STEP });
    expect(model.forecast([MONDAY])[0]?.count).toBe(0);
    expect(model.state().seasonality).toBe("none");
    train(model, MONDAY + 10 * 3_600_000, MONDAY + 12 * 3_600_000, () => 40);
    const later = model.forecast([MONDAY + 20 * 3_600_000])[0];
    expect(later?.count).toBeCloseTo(40, 0);
  });

  it("refuses a step that does not divide a day, and observations that go back in time", () => {
    expect(() => new SeasonalModel({ stepMs: 7 * 60_000 })).toThrow(/divide a day/);
    const model = new SeasonalModel({ stepMs: STEP });
    model.observe(MONDAY, 1);
    expect(() => model.observe(MONDAY, 2)).toThrow(/move forward/);
  });
});

describe("SeasonalModel in a site's time zone", () => {
  /** A lot that fills at 09:00 and empties at 17:00, Berlin wall-clock time, every day. */
  const berlinDay = (t: number) => {
    const hour = new Date(t).toLocaleString("en-US", {
      timeZone: "Europe/Berlin",
      hour: "numeric",
      hourCycle: "h23",
    });
    return Number(hour) >= 9 && Number(hour) < 17 ? 100 : 0;
  };
  // Three weeks of summer time, then the clocks go back (2026-10-25, 01:00 UTC).
  const from = Date.UTC(2026, 9, 4);
  const change = Date.UTC(2026, 9, 25, 1);
  const tuesday = Date.UTC(2026, 9, 27);
  const trained = (timeZone?: string) => {
    const model = new SeasonalModel({ stepMs: STEP, smoothingMs: 0, timeZone });
    train(model, from, tuesday, berlinDay);
    return model;
  };
  const filledAt = (model: SeasonalModel) =>
    model.forecast(timesAfter(tuesday - STEP, 24 * 4)).find((point) => point.count > 50)?.t;

  it("keeps a wall-clock rhythm across a daylight-saving change, where a UTC week is an hour off", () => {
    expect(change).toBeLessThan(tuesday);
    // 09:00 in Berlin is 08:00 UTC in winter.
    expect(filledAt(trained("Europe/Berlin"))).toBe(Date.UTC(2026, 9, 27, 8));
    expect(filledAt(trained())).toBe(Date.UTC(2026, 9, 27, 7));
  });
});
