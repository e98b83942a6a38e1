/** How the ingest corrects gateway clocks (README "Clock"). */
export interface ClockSettings {
  /** Stamps of a synced clock move only when their boot's measured offset is larger (ms). */
  syncedThresholdMs: number;
  /** Stored times are derived again when their boot's anchor moves earlier by more than this (ms). */
  retimeToleranceMs: number;
  /** At most this many stored events are re-timed per batch of a gateway; the rest with its next. */
  retimeBudget: number;
}

export const DEFAULT_CLOCK_SETTINGS: ClockSettings = {
  syncedThresholdMs: 2000,
  retimeToleranceMs: 1000,
  retimeBudget: 1000,
};
