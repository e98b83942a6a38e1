import { DAY_MS } from "./seasonal-model.js";

/**
 * A mall car park with a known pattern, for the forecast evaluation: cars arrive as a Poisson
 * process whose rate follows the time of day and the day of week, each day busier or quieter
 * than usual by a random factor (weather, events), and stay a random (log-normal) time.
 */

export interface MallOptions {
  /** Start of day 0, a Monday 00:00 (ms). */
  start: number;
  days: number;
  seed: number;
  /** Cars arriving on an average weekday. Default 3000. */
  carsPerWeekday?: number;
  /** Standard deviation of the day's busy factor around 1. Default 0.12. */
  dayNoise?: number;
}

const MINUTE = 60_000;

/** mulberry32: a small, seeded PRNG, so a run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function poisson(random: () => number, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

const bump = (hour: number, centre: number, width: number) => Math.exp(-(((hour - centre) / width) ** 2) / 2);

/** Relative arrival rate at `hour` (0–24) of day-of-week `dow` (0 = Monday). */
export function arrivalShape(dow: number, hour: number): number {
  if (dow === 6) return hour < 10 || hour > 18 ? 0 : 0.6 * bump(hour, 13, 2.2); // Sunday: short hours
  if (hour < 7 || hour > 21.5) return 0;
  if (dow === 5) return 0.4 * bump(hour, 11, 1.8) + 1.2 * bump(hour, 15, 2.4); // Saturday: the big day
  const weekday = 0.35 * bump(hour, 8, 0.8) + 0.7 * bump(hour, 12.5, 1.3) + 0.6 * bump(hour, 17.5, 1.5);
  return dow === 4 ? weekday * 1.25 : dow === 0 ? weekday * 0.85 : weekday; // Friday busier, Monday quieter
}

/** The number of cars parked at each minute from `start` for `days` days. */
export function simulateMallMinutes(options: MallOptions): Int32Array {
  const random = seededRandom(options.seed);
  const minutes = options.days * 1440;
  const delta = new Int32Array(minutes + 1);
  let weekdayArea = 0;
  for (let m = 0; m < 1440; m++) weekdayArea += arrivalShape(1, m / 60);
  const perUnit = (options.carsPerWeekday ?? 3000) / weekdayArea;
  const dayNoise = options.dayNoise ?? 0.12;
  for (let day = 0; day < options.days; day++) {
    const busy = Math.max(0.3, 1 + dayNoise * gaussian(random));
    for (let m = 0; m < 1440; m++) {
      const arrivals = poisson(random, perUnit * busy * arrivalShape(day % 7, m / 60));
      for (let i = 0; i < arrivals; i++) {
        const at = day * 1440 + m;
        // Median stay 80 minutes; a few stay all day.
        const stay = Math.max(5, Math.round(80 * Math.exp(0.6 * gaussian(random))));
        delta[at] = (delta[at] ?? 0) + 1;
        const leave = Math.min(minutes, at + stay);
        delta[leave] = (delta[leave] ?? 0) - 1;
      }
    }
  }
  const counts = new Int32Array(minutes);
  let count = 0;
  for (let m = 0; m < minutes; m++) {
    count += delta[m] ?? 0;
    counts[m] = count;
  }
  return counts;
}

/** The count at each grid time `start + k·stepMs`, k = 0 … days·day/step − 1. */
export function simulateMallSeries(options: MallOptions, stepMs: number): number[] {
  if (stepMs % MINUTE !== 0 || DAY_MS % stepMs !== 0)
    throw new RangeError("step must be whole minutes dividing a day");
  const minutes = simulateMallMinutes(options);
  const every = stepMs / MINUTE;
  const series: number[] = [];
  for (let m = 0; m < minutes.length; m += every) series.push(minutes[m] ?? 0);
  return series;
}
