import { debounce } from "./match-sessions.js";
import type { VehicleRead } from "./session.js";

export interface CountedReadChanges {
  /** Reads that move counts now and did not before (new, no longer repeats, or moved here). */
  counted: VehicleRead[];
  /** Reads that moved counts before and no longer do (now repeats, or moved away from `at`). */
  uncounted: VehicleRead[];
}

const countKey = (read: VehicleRead) => `${read.gateway}\u0000${read.seq}\u0000${read.at}`;

/**
 * What a batch changes in which of a plate group's reads move counts: a repeated read is one read
 * (DESIGN.md "Sessions"), for counts as for sessions, so only the reads `debounce` keeps count. A
 * new read can turn the read after it into a repeat, and a re-timed read can do that or undo it,
 * so the kept reads before and after the batch are compared. `before` holds the group's reads at
 * their times before the batch, `after` at their times after it.
 */
export function countedReadChanges(
  before: readonly VehicleRead[],
  after: readonly VehicleRead[],
  debounceMs: number,
): CountedReadChanges {
  const keptBefore = debounce(before, debounceMs).kept;
  const keptAfter = debounce(after, debounceMs).kept;
  const wasCounted = new Set(keptBefore.map(countKey));
  const isCounted = new Set(keptAfter.map(countKey));
  return {
    counted: keptAfter.filter((read) => !wasCounted.has(countKey(read))),
    uncounted: keptBefore.filter((read) => !isCounted.has(countKey(read))),
  };
}
