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
