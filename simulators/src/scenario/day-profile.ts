import type { Random } from "../random/random.js";

/**
 * Relative arrivals per hour of a mall day (index = hour after midnight): quiet overnight, a morning
 * rush, the lunch peak, an afternoon lull and an evening rush. Only the shape matters; the scenario
 * scales it to its vehicle and visitor totals.
 */
export const MALL_DAY_WEIGHTS: readonly number[] = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 1, 3, 6, 5, 4, 5, 8, 8, 5, 4, 5, 7, 6, 4, 2, 1, 0.5, 0.3,
];

/** Draws a time offset (ms from the start) whose hour follows `weights`, uniform within the hour. */
export function createProfileSampler(weights: readonly number[], hours: number) {
  const used = Array.from({ length: hours }, (_, hour) => weights[hour % weights.length] ?? 0);
  const total = used.reduce((sum, weight) => sum + weight, 0);
  return (random: Random): number => {
    let target = random.next() * total;
    for (let hour = 0; hour < used.length; hour++) {
      target -= used[hour] as number;
      if (target < 0) return Math.floor((hour + random.next()) * 3_600_000);
    }
    return Math.floor((used.length - random.next()) * 3_600_000);
  };
}
