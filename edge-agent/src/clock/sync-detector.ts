import { existsSync } from "node:fs";
import { join } from "node:path";

/** `auto` looks at cheap files; `always` trusts the clock; `never` marks every stamp unsynchronized. */
export type SyncCheck = "auto" | "always" | "never";

export interface ClockSyncDetectorOptions {
  mode: SyncCheck;
  /** A file whose existence means "synchronized", e.g. touched by a unit after `chronyc waitsync`. */
  syncFile?: string;
  /** systemd-timesyncd's runtime directory (default /run/systemd/timesync). */
  timesyncDir?: string;
  /** The wall clock, in ms since the epoch. */
  now?: () => number;
  /** How long one answer is reused, so a burst of readings costs one stat (default 1000 ms). */
  cacheMs?: number;
}

export interface ClockSyncDetector {
  /** true: synchronized; false: known not to be; undefined: cannot tell. */
  synced(): boolean | undefined;
}

/** Before this the clock is certainly unset: a Pi without a saved time boots in 1970. */
export const CLOCK_FLOOR = Date.parse("2025-01-01T00:00:00.000Z");

/**
 * Whether the system clock has been set by NTP, from files that cost a stat: systemd-timesyncd
 * creates `/run/systemd/timesync/synchronized` at its first sync after boot (/run is emptied at
 * boot), and a configured `syncFile` covers chrony or ntpd. Without either, the answer is unknown,
 * except that a clock before 2025 is known to be wrong.
 */
export function createClockSyncDetector(options: ClockSyncDetectorOptions): ClockSyncDetector {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 1000;
  const timesyncDir = options.timesyncDir ?? "/run/systemd/timesync";
  let cached: { at: number; value: boolean | undefined } | null = null;

  function check(): boolean | undefined {
    if (options.mode === "always") return true;
    if (options.mode === "never") return false;
    if (now() < CLOCK_FLOOR) return false;
    if (options.syncFile !== undefined) return existsSync(options.syncFile);
    if (existsSync(join(timesyncDir, "synchronized"))) return true;
    // timesyncd runs (its runtime directory exists) but has not synchronized since boot.
    if (existsSync(timesyncDir)) return false;
    return undefined;
  }

  return {
    synced() {
      const at = performance.now();
      if (cached === null || at - cached.at >= cacheMs) cached = { at, value: check() };
      return cached.value;
    },
  };
}
