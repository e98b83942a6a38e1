import { summarize } from "./stats.js";
import type { Curve, CurveInput, Metric, MetricInput, Target, Verdict } from "./types.js";

/** PASS when the median meets the target; null without a target or without samples. */
export function verdictOf(median: number, target: Target | undefined): Verdict | null {
  if (target === undefined || !Number.isFinite(median)) return null;
  const met = target.op === ">=" ? median >= target.value : median <= target.value;
  return met ? "PASS" : "MISS";
}

export function toMetric(input: MetricInput): Metric {
  const summary = summarize(input.samples);
  return { ...input, summary, verdict: verdictOf(summary.median, input.target) };
}

export function toCurve(input: CurveInput): Curve {
  return {
    ...input,
    series: input.series.map((series) => ({
      name: series.name,
      points: series.points.map((point) => ({ ...point, summary: summarize(point.samples) })),
    })),
  };
}

export const atLeast = (value: number): Target => ({ op: ">=", value });
export const atMost = (value: number): Target => ({ op: "<=", value });
