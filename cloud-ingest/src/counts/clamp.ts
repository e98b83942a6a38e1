export interface CountReading {
  /** Never below zero. */
  count: number;
  /** The sum of deltas; below zero when exits outnumber entries (a missed entry read). */
  rawCount: number;
  clamped: boolean;
}

/** Counts never go below zero silently: the answer is clamped and says so. */
export function clampCount(rawCount: number): CountReading {
  return { count: Math.max(0, rawCount), rawCount, clamped: rawCount < 0 };
}

/** A space whose count went (further) below zero in a committed batch. */
export interface NegativeCount {
  site: string;
  space: string;
  rawCount: number;
}

/** Called for each such space, e.g. to increment a Prometheus counter. */
export type NegativeCountHook = (negative: NegativeCount) => void;

/** Places left: capacity minus count, not below 0; null without a capacity. */
export function freeOf(capacity: number | null, count: number): number | null {
  return capacity === null ? null : Math.max(0, capacity - count);
}
