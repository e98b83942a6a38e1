/** Spread of a set of samples; quartiles by linear interpolation between closest ranks. */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  mean: number;
  q1: number;
  q3: number;
  iqr: number;
}

/** The value at quantile `q` (0..1) of `sorted` (ascending), interpolating between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  return a + (b - a) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = samples.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) {
    return {
      n: 0,
      median: Number.NaN,
      min: Number.NaN,
      max: Number.NaN,
      mean: Number.NaN,
      q1: Number.NaN,
      q3: Number.NaN,
      iqr: Number.NaN,
    };
  }
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    q1,
    q3,
    iqr: q3 - q1,
  };
}

/**
 * Ratios of paired samples (a[i] / b[i]) when both were taken in the same rounds, so a noisy
 * moment affects both sides; otherwise the one ratio of the medians.
 */
export function ratioSamples(a: readonly number[], b: readonly number[]): number[] {
  if (a.length > 0 && a.length === b.length) return a.map((value, i) => value / (b[i] as number));
  return [median(a) / median(b)];
}
