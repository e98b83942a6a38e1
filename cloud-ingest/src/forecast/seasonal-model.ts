import { zoneOffset } from "./zone-offset.js";

/**
 * Occupancy forecast: a weekly seasonal profile (day of week × time of day) plus an exponentially
 * smoothed, damped residual level, trained one observation at a time (README "Forecast").
 *
 * - Profile: per slot of the week, an exponentially weighted mean over past weeks (each week
 *   weighs `weekDecay` times the next), smoothed over neighbouring slots with a triangular kernel
 *   so one noisy week does not become the prediction. A slot never seen falls back to the same
 *   time of day on any day, then to the mean of everything.
 * - Scale: observed ÷ profile over the last hours (a rainy Saturday runs at 0.8 all day), which
 *   multiplies the profile and fades with the horizon.
 * - Level: the residual left (observed − scaled profile) smoothed with `alpha`; a forecast adds
 *   it, decaying with `levelHalfLifeMs`, since a fuller lot now says more about the next hour than
 *   about tomorrow.
 * - Intervals: quantiles of the model's own past errors at a few horizons (1, 2, 4, … steps),
 *   widened where needed to hold the expected count.
 */

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
export const DEFAULT_INTERVAL_LEVEL = 0.8;

export interface SeasonalModelOptions {
  /** Grid step in ms; must divide a day. */
  stepMs: number;
  /** Weight of each older week in the profile, 0..1. Default 0.8. */
  weekDecay?: number;
  /** Half width of the smoothing kernel over neighbouring slots, in ms. Default 45 minutes. */
  smoothingMs?: number;
  /** Residual level smoothing per step, 0..1. Default 0.5. */
  alpha?: number;
  /** How fast the level's effect fades with the horizon. Default 4 hours. */
  levelHalfLifeMs?: number;
  /**
   * Half-life of the day's scale (observed ÷ profile, e.g. a rainy Saturday at 0.8), which
   * multiplies the profile and fades with the horizon. Default 6 hours.
   */
  scaleHalfLifeMs?: number;
  /** Central probability of the prediction interval. Default 0.8. */
  intervalLevel?: number;
  /** Past errors kept per horizon bucket. Default 2000. */
  errorWindow?: number;
  /**
   * The site's IANA time zone: slots of the week follow its wall clock, so a daylight-saving
   * change does not shift the daily rhythm by an hour. Default UTC.
   */
  timeZone?: string | undefined;
}

export interface ForecastPoint {
  t: number;
  count: number;
  low: number;
  high: number;
}

export interface ModelState {
  observations: number;
  firstAt: number | null;
  lastAt: number | null;
  /** What the profile rests on: a week of history or more, a day or more, less (the mean only). */
  seasonality: "weekly" | "daily" | "none";
}

/** Sums of a weighted mean that forgets by `decay` each time it is fed. */
class DecayingMean {
  sum = 0;
  weight = 0;
  add(value: number, decay: number): void {
    this.sum = this.sum * decay + value;
    this.weight = this.weight * decay + 1;
  }
}

/** Decaying means of many slots in two flat arrays (a week at 1 minute is 10,080 slots). */
class SlotMeans {
  readonly sums: Float64Array;
  readonly weights: Float64Array;
  constructor(readonly length: number) {
    this.sums = new Float64Array(length);
    this.weights = new Float64Array(length);
  }
  add(slot: number, value: number, decay: number): void {
    this.sums[slot] = (this.sums[slot] ?? 0) * decay + value;
    this.weights[slot] = (this.weights[slot] ?? 0) * decay + 1;
  }
}

/** The last `capacity` values pushed; `back(1)` is the newest. */
class Ring {
  readonly values: number[] = [];
  private next = 0;
  constructor(private readonly capacity: number) {}
  push(value: number): void {
    if (this.values.length < this.capacity) this.values.push(value);
    else this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
  }
  back(age: number): number | undefined {
    if (age < 1 || age > this.values.length) return undefined;
    return this.values[(this.next - age + this.capacity) % this.capacity];
  }
}

/** The day's scale stays within 1/4 … 4 times the profile: beyond it the profile is not the pattern. */
const MAX_SCALE = 4;

/** Smallest error samples before a horizon bucket is used on its own. */
const MIN_ERRORS = 20;

export class SeasonalModel {
  readonly stepMs: number;
  private readonly weekSlots: number;
  private readonly daySlots: number;
  private readonly weekDecay: number;
  private readonly dayDecay: number;
  private readonly kernel: number[];
  private readonly alpha: number;
  private readonly phi: number;
  private readonly tail: number;
  private readonly week: SlotMeans;
  private readonly day: SlotMeans;
  private readonly all = new DecayingMean();
  private level = 0;
  private readonly psi: number;
  private scaleObserved = 0;
  private scaleExpected = 0;
  /** Levels after the last `maxBucketSteps` observations, newest last, for the error record. */
  private readonly recentLevels: Ring;
  private readonly buckets: number[];
  private readonly errors: Ring[];
  private readonly offsetOf: (t: number) => number;
  private observations = 0;
  private firstAt: number | null = null;
  private lastAt: number | null = null;

  constructor(options: SeasonalModelOptions) {
    const { stepMs } = options;
    if (!(stepMs > 0) || DAY_MS % stepMs !== 0) {
      throw new RangeError(`step ${stepMs} ms must divide a day`);
    }
    this.stepMs = stepMs;
    this.daySlots = DAY_MS / stepMs;
    this.weekSlots = 7 * this.daySlots;
    this.weekDecay = options.weekDecay ?? 0.8;
    this.dayDecay = this.weekDecay ** (1 / 7);
    const halfWidth = Math.floor((options.smoothingMs ?? 45 * 60_000) / stepMs);
    this.kernel = Array.from(
      { length: 2 * halfWidth + 1 },
      (_, i) => halfWidth + 1 - Math.abs(i - halfWidth),
    );
    this.alpha = options.alpha ?? 0.5;
    this.phi = 0.5 ** (stepMs / (options.levelHalfLifeMs ?? 4 * 3_600_000));
    this.psi = 0.5 ** (stepMs / (options.scaleHalfLifeMs ?? 6 * 3_600_000));
    this.tail = (1 - (options.intervalLevel ?? DEFAULT_INTERVAL_LEVEL)) / 2;
    this.week = new SlotMeans(this.weekSlots);
    this.day = new SlotMeans(this.daySlots);
    // Horizons whose errors are recorded: 1, 2, 4, … steps up to a week.
    this.buckets = [];
    for (let h = 1; h <= this.weekSlots; h *= 2) this.buckets.push(h);
    const errorWindow = options.errorWindow ?? 2000;
    this.errors = this.buckets.map(() => new Ring(errorWindow));
    this.recentLevels = new Ring(this.buckets.at(-1) ?? 1);
    this.offsetOf = options.timeZone === undefined ? () => 0 : zoneOffset(options.timeZone);
  }

  state(): ModelState {
    const seasonality =
      this.observations >= this.weekSlots ? "weekly" : this.observations >= this.daySlots ? "daily" : "none";
    return { observations: this.observations, firstAt: this.firstAt, lastAt: this.lastAt, seasonality };
  }

  /** The last observed grid time, or null. */
  get lastObservedAt(): number | null {
    return this.lastAt;
  }

  /** Feeds the count at grid time `t`; times must increase (a gap of missing steps is allowed). */
  observe(t: number, count: number): void {
    if (this.lastAt !== null && t <= this.lastAt) {
      throw new RangeError(`observations must move forward: ${t} after ${this.lastAt}`);
    }
    const seasonal = this.profile(t);
    const expected = seasonal * this.scale(0);
    if (this.observations > 0) this.recordErrors(count, expected);
    const steps = this.lastAt === null ? 1 : Math.round((t - this.lastAt) / this.stepMs);
    this.scaleObserved = this.scaleObserved * this.psi ** steps + count;
    this.scaleExpected = this.scaleExpected * this.psi ** steps + seasonal;
    const decayed = this.level * this.phi ** steps;
    this.level = decayed + this.alpha * (count - expected - decayed);
    this.recentLevels.push(this.level);
    const slot = this.weekSlot(t);
    this.week.add(slot, count, this.weekDecay);
    this.day.add(slot % this.daySlots, count, this.dayDecay);
    this.all.add(count, 0.999);
    this.observations++;
    this.firstAt ??= t;
    this.lastAt = t;
  }

  /**
   * Expected counts with intervals at each of `times` (after the last observation). `latest`, a
   * count between grid times (now), moves the level as an observation would, without being
   * learnt; a model with no history yet predicts it unchanged.
   */
  forecast(times: readonly number[], latest?: { t: number; count: number }): ForecastPoint[] {
    let origin = this.lastAt ?? times[0] ?? 0;
    let level = this.level;
    if (latest !== undefined && (this.lastAt === null || latest.t > this.lastAt)) {
      if (this.observations === 0) {
        return times.map((t) => ({ t, count: latest.count, low: latest.count, high: latest.count }));
      }
      const decayed = level * this.phi ** ((latest.t - origin) / this.stepMs);
      level = decayed + this.alpha * (latest.count - this.profile(latest.t) * this.scale(0) - decayed);
      origin = latest.t;
    }
    const quantiles = new Map<number, [number, number]>();
    return times.map((t) => {
      const ahead = (t - origin) / this.stepMs;
      const steps = Math.max(1, Math.round(ahead));
      const count = Math.max(0, this.profile(t) * this.scale(steps) + level * this.phi ** Math.max(0, ahead));
      const bandOf = (bucket: number) => {
        let band = quantiles.get(bucket);
        if (band === undefined) {
          band = this.errorQuantiles(bucket);
          quantiles.set(bucket, band);
        }
        return band;
      };
      // Between two recorded horizons the band is interpolated on log(steps), so it widens smoothly.
      const upper = this.bucketOf(steps);
      const lower = this.bucketOf(Math.min(steps, 2 ** Math.floor(Math.log2(steps))));
      const [upperLow, upperHigh] = bandOf(upper);
      const [lowerLow, lowerHigh] = bandOf(lower);
      const span = Math.log2(this.buckets[upper] ?? 1) - Math.log2(this.buckets[lower] ?? 1);
      const w =
        span > 0
          ? Math.min(1, Math.max(0, (Math.log2(steps) - Math.log2(this.buckets[lower] ?? 1)) / span))
          : 1;
      const lowError = lowerLow + w * (upperLow - lowerLow);
      const highError = lowerHigh + w * (upperHigh - lowerHigh);
      // The interval always holds the expected count, even when past errors leaned one way.
      return {
        t,
        count,
        low: Math.max(0, count + Math.min(0, lowError)),
        high: count + Math.max(0, highError),
      };
    });
  }

  /**
   * Observed ÷ expected lately, faded towards 1 over `steps` ahead (1 with under a day of history). Both sums start with an hour
   * of the overall mean, so a few counts at night (profile near 0) cannot make it explode.
   */
  private scale(steps: number): number {
    // Under a day there is no profile to scale, only the mean.
    if (this.observations < this.daySlots) return 1;
    const prior = (this.all.weight > 0 ? this.all.sum / this.all.weight : 0) * (3_600_000 / this.stepMs);
    if (prior + this.scaleExpected <= 0) return 1;
    const now = Math.min(
      MAX_SCALE,
      Math.max(1 / MAX_SCALE, (this.scaleObserved + prior) / (this.scaleExpected + prior)),
    );
    return 1 + (now - 1) * this.psi ** steps;
  }

  /** The seasonal profile at `t`: smoothed weekly mean, else daily mean, else overall mean (all under a day). */
  profile(t: number): number {
    const mean = this.all.weight > 0 ? this.all.sum / this.all.weight : 0;
    // Under a day, a slot's own past would disagree with the mean its unseen neighbours get.
    if (this.observations < this.daySlots) return mean;
    const slot = this.weekSlot(t);
    const weekly = this.smoothed(this.week, slot);
    if (weekly !== null) return weekly;
    const daily = this.smoothed(this.day, slot % this.daySlots);
    return daily ?? mean;
  }

  private smoothed(means: SlotMeans, slot: number): number | null {
    // Only a slot seen itself counts as seen: neighbours alone would smear one day into another.
    if (!((means.weights[slot] ?? 0) > 0)) return null;
    const half = (this.kernel.length - 1) / 2;
    let sum = 0;
    let weight = 0;
    for (let i = 0; i < this.kernel.length; i++) {
      const at = (slot + i - half + means.length) % means.length;
      const w = means.weights[at] ?? 0;
      if (w === 0) continue;
      const k = this.kernel[i] ?? 0;
      sum += (k * (means.sums[at] ?? 0)) / w;
      weight += k;
    }
    return sum / weight;
  }

  private weekSlot(t: number): number {
    const local = t + this.offsetOf(t);
    const offset = ((local % WEEK_MS) + WEEK_MS) % WEEK_MS;
    return Math.floor(offset / this.stepMs) % this.weekSlots;
  }

  /** What the model would have said `h` steps ago for this observation, per recorded horizon. */
  private recordErrors(count: number, expected: number): void {
    this.buckets.forEach((h, i) => {
      const level = this.recentLevels.back(h);
      if (level !== undefined) this.errors[i]?.push(count - (expected + level * this.phi ** h));
    });
  }

  /** The recorded horizon for `steps`: the first at or beyond it with enough samples, else the nearest shorter. */
  private bucketOf(steps: number): number {
    let index = this.buckets.findIndex((h) => h >= steps);
    if (index < 0) index = this.buckets.length - 1;
    // Short horizons fill up first.
    while (index > 0 && (this.errors[index]?.values.length ?? 0) < MIN_ERRORS) index--;
    return index;
  }

  private errorQuantiles(index: number): [number, number] {
    const errors = [...(this.errors[index]?.values ?? [])].sort((a, b) => a - b);
    if (errors.length === 0) return [0, 0];
    return [quantile(errors, this.tail), quantile(errors, 1 - this.tail)];
  }
}

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const low = sorted[below] ?? 0;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] ?? low;
  return low + (high - low) * (position - below);
}
