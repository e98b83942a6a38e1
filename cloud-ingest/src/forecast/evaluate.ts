import { simulateMallSeries } from "./mall-simulation.js";
import {
  DEFAULT_INTERVAL_LEVEL,
  SeasonalModel,
  type SeasonalModelOptions,
  WEEK_MS,
} from "./seasonal-model.js";

export interface EvaluationOptions {
  seed: number;
  /** Weeks of history before the week forecast. Default 2. */
  trainWeeks?: number;
  stepMs?: number;
  horizonMs?: number;
  /** A forecast is made from every `originEveryMs` of the test week. Default 1 hour. */
  originEveryMs?: number;
  model?: Omit<SeasonalModelOptions, "stepMs">;
}

export interface EvaluationResult {
  seed: number;
  trainWeeks: number;
  stepMs: number;
  horizonMs: number;
  origins: number;
  /** Forecast points compared (origins × steps of the horizon). */
  points: number;
  modelMae: number;
  /** Seasonal naive: the count at the same time a week before. */
  naiveMae: number;
  /** modelMae / naiveMae. */
  ratio: number;
  /** Share of actual counts inside the model's prediction interval. */
  coverage: number;
  intervalLevel: number;
  meanCount: number;
}

/** 2026-11-02 00:00 UTC, a Monday: the simulated mall's first day. */
const MONDAY = Date.UTC(2026, 10, 2);

/**
 * Simulates `trainWeeks` + 1 weeks of a mall, trains the model on the history, then walks through
 * the last week: from every origin it forecasts the next `horizonMs` and compares, feeding the
 * model the counts up to the next origin (as the ingest does). The baseline answers each point
 * with the count one week earlier.
 */
export function evaluateForecast(options: EvaluationOptions): EvaluationResult {
  const trainWeeks = options.trainWeeks ?? 2;
  const stepMs = options.stepMs ?? 15 * 60_000;
  const horizonMs = options.horizonMs ?? 6 * 3_600_000;
  const originEvery = Math.max(1, Math.round((options.originEveryMs ?? 3_600_000) / stepMs));
  const horizon = Math.max(1, Math.round(horizonMs / stepMs));
  const days = (trainWeeks + 1) * 7;
  const series = simulateMallSeries({ start: MONDAY, days, seed: options.seed }, stepMs);
  const timeOf = (i: number) => MONDAY + i * stepMs;
  const model = new SeasonalModel({ stepMs, ...options.model });
  const weekSteps = WEEK_MS / stepMs;
  const testStart = trainWeeks * weekSteps;
  for (let i = 0; i < testStart; i++) model.observe(timeOf(i), series[i] ?? 0);

  let modelError = 0;
  let naiveError = 0;
  let inside = 0;
  let points = 0;
  let origins = 0;
  let sum = 0;
  for (let origin = testStart; origin < series.length; origin += originEvery) {
    const targets = [];
    for (let h = 1; h <= horizon && origin - 1 + h < series.length; h++) targets.push(origin - 1 + h);
    const forecast = model.forecast(targets.map(timeOf));
    targets.forEach((index, k) => {
      const actual = series[index] ?? 0;
      const point = forecast[k];
      if (point === undefined) return;
      modelError += Math.abs(actual - point.count);
      naiveError += Math.abs(actual - (series[index - weekSteps] ?? 0));
      if (actual >= point.low && actual <= point.high) inside++;
      sum += actual;
      points++;
    });
    origins++;
    const next = Math.min(series.length, origin + originEvery);
    for (let i = origin; i < next; i++) model.observe(timeOf(i), series[i] ?? 0);
  }
  const modelMae = modelError / points;
  const naiveMae = naiveError / points;
  return {
    seed: options.seed,
    trainWeeks,
    stepMs,
    horizonMs: horizon * stepMs,
    origins,
    points,
    modelMae,
    naiveMae,
    ratio: modelMae / naiveMae,
    coverage: inside / points,
    intervalLevel: options.model?.intervalLevel ?? DEFAULT_INTERVAL_LEVEL,
    meanCount: sum / points,
  };
}
