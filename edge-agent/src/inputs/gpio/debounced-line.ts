/** A line's level once it has held for the debounce period. */
export interface DebouncedLine {
  /** The stable level. */
  readonly active: boolean;
  /** Records a raw edge at time t (ms, non-decreasing). */
  edge(active: boolean, t: number): void;
  /** When the pending raw level becomes stable, or null if nothing is pending. */
  deadline(): number | null;
  /**
   * Applies a pending change whose deadline is at or before t; returns the time the change began
   * (the raw edge's time) or null.
   */
  settle(t: number): number | null;
}

/**
 * Debounce by persistence: a raw change counts only once the line has stayed at its new level for
 * `debounceMs`; a bounce (a change undone within the period) leaves the stable level as it was.
 */
export function createDebouncedLine(debounceMs: number, initial = false): DebouncedLine {
  let stable = initial;
  let raw = initial;
  let rawSince = 0;
  return {
    get active() {
      return stable;
    },
    edge(active, t) {
      if (active === raw) return;
      raw = active;
      rawSince = t;
    },
    deadline() {
      return raw === stable ? null : rawSince + debounceMs;
    },
    settle(t) {
      if (raw === stable || t < rawSince + debounceMs) return null;
      stable = raw;
      return rawSince;
    },
  };
}
