import { normalizePlate } from "@lotwatch/protocol/plate.js";
import {
  closeOpen,
  compareReads,
  compareSessions,
  DEFAULT_DEBOUNCE_MS,
  openedBy,
  unmatchedExit,
} from "./match-sessions.js";
import { type GroupContext, priceSession } from "./recompute-group.js";
import type { MatchedSession, VehicleRead } from "./session.js";
import { type SessionChanges, type StoredSession, sessionChanges } from "./session-changes.js";

/**
 * What `recomputeGroup([...earlier, read], stored)` returns, without re-matching the earlier reads,
 * when `read` sorts after every one of them (the in-order case: an entry of a new visit, an exit
 * that closes an open one). The matcher's state after the earlier reads is then the stored
 * sessions themselves, so only `read`'s own step is left. Null when some earlier read sorts after
 * `read`. Holds when `stored` is what `recomputeGroup` made of `earlier`, as a store that
 * recomputes every group it touches keeps it.
 */
export function appendRead(
  read: VehicleRead,
  earlier: readonly VehicleRead[],
  stored: readonly StoredSession[],
  context: GroupContext,
): SessionChanges | null {
  const plate = normalizePlate(read.plate);
  // The matcher drops a read within the debounce of the last read of its plate, lane and kind.
  let lastRepeatAt = Number.NEGATIVE_INFINITY;
  for (const other of earlier) {
    if (compareReads(other, read) >= 0) return null;
    if (
      other.kind === read.kind &&
      other.lane === read.lane &&
      other.at > lastRepeatAt &&
      normalizePlate(other.plate) === plate
    ) {
      lastRepeatAt = other.at;
    }
  }
  // Fresh copies (priceSession builds new objects): `stored` is the diff's "before".
  const sessions: MatchedSession[] = stored.map((session) => priceSession(session, context));
  if (read.at - lastRepeatAt > (context.debounceMs ?? DEFAULT_DEBOUNCE_MS)) {
    if (read.kind === "entry") {
      sessions.push(openedBy(read, plate));
    } else {
      // The matcher's open list: sessions still open, in the order their entries were read.
      const open = sessions.filter((session) => session.status === "open").sort(byEntryRead);
      if (!closeOpen(open, read, plate)) sessions.push(unmatchedExit(read, plate));
    }
  }
  const fresh = sessions.sort(compareSessions).map((session) => priceSession(session, context));
  // No repeats: stored sessions hold only kept reads, so the debounce maps none of their refs.
  return sessionChanges(stored, fresh, new Map());
}

function byEntryRead(a: MatchedSession, b: MatchedSession): number {
  const x = a.entry as NonNullable<MatchedSession["entry"]>;
  const y = b.entry as NonNullable<MatchedSession["entry"]>;
  if (a.entryAt !== b.entryAt) return (a.entryAt as number) - (b.entryAt as number);
  if (x.gateway !== y.gateway) return x.gateway < y.gateway ? -1 : 1;
  return x.seq - y.seq;
}
