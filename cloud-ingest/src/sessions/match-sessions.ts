import { differsByOneConfusable, normalizePlate } from "@lotwatch/protocol/plate.js";
import { type EventRef, type MatchedSession, refKey, type VehicleRead } from "./session.js";

export const DEFAULT_DEBOUNCE_MS = 30_000;

export interface MatchOptions {
  /** Reads of one plate on one lane closer than this to the previous one are one read. Default 30 s. */
  debounceMs?: number;
}

export interface MatchResult {
  /** Ordered by start (entry, or exit for an unmatched exit), then id. */
  sessions: MatchedSession[];
  /** Each read the debounce dropped, by ref key, mapped to the ref key of the read it repeats. */
  repeats: Map<string, string>;
}

/** Time order; gateway and seq break ties so the result never depends on the input order. */
export function compareReads(a: VehicleRead, b: VehicleRead): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.gateway !== b.gateway) return a.gateway < b.gateway ? -1 : 1;
  return a.seq - b.seq;
}

const ref = (read: VehicleRead): EventRef => ({ gateway: read.gateway, seq: read.seq, lane: read.lane });

/**
 * Pairs entries with exits. A pure function of the SET of reads: they are sorted first, so any
 * order or batching gives the same sessions. Rules (DESIGN.md "Sessions"):
 * - a read repeating the same normalized plate on the same lane within `debounceMs` of the
 *   previous such read is dropped (a burst of reads is one read; the earliest is kept);
 * - an entry opens a session;
 * - an exit closes the latest open session of the same plate whose entry occurred before it
 *   (`exact`), else the latest whose plate differs by one confusable character (`fuzzy`), else it
 *   is an `unmatched` exit.
 */
export function matchSessions(reads: readonly VehicleRead[], options: MatchOptions = {}): MatchResult {
  const { kept, repeats } = debounce(reads, options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  const open: MatchedSession[] = [];
  const sessions: MatchedSession[] = [];

  for (const read of kept) {
    const plate = normalizePlate(read.plate);
    if (read.kind === "entry") {
      const session = openedBy(read, plate);
      open.push(session);
      sessions.push(session);
      continue;
    }
    if (!closeOpen(open, read, plate)) sessions.push(unmatchedExit(read, plate));
  }
  sessions.sort(compareSessions);
  return { sessions, repeats };
}

export interface Debounced {
  /** The reads that are not repeats, in time order (`compareReads`). */
  kept: VehicleRead[];
  /** Each read dropped, by ref key, mapped to the ref key of the read it repeats. */
  repeats: Map<string, string>;
}

/**
 * Drops each read that repeats the same normalized plate on the same lane, of the same kind,
 * within `debounceMs` of the previous such read (a burst of reads is one read; the earliest is
 * kept). Sessions and counts both see only the kept reads.
 */
export function debounce(reads: readonly VehicleRead[], debounceMs: number): Debounced {
  const kept: VehicleRead[] = [];
  const repeats = new Map<string, string>();
  const previous = new Map<string, { at: number; keeper: string }>();
  for (const read of [...reads].sort(compareReads)) {
    const burstKey = `${read.kind}\u0000${read.lane}\u0000${normalizePlate(read.plate)}`;
    const before = previous.get(burstKey);
    if (before !== undefined && read.at - before.at <= debounceMs) {
      repeats.set(refKey(read), before.keeper);
      before.at = read.at;
      continue;
    }
    previous.set(burstKey, { at: read.at, keeper: refKey(read) });
    kept.push(read);
  }
  return { kept, repeats };
}

/** The session an entry opens; `plate` is the read's normalized plate. */
export function openedBy(read: VehicleRead, plate: string): MatchedSession {
  return {
    id: refKey(read),
    status: "open",
    plate,
    exitPlate: null,
    entryAt: read.at,
    exitAt: null,
    entry: ref(read),
    exit: null,
    matchedBy: null,
  };
}

/** The session of an exit that closes none. */
export function unmatchedExit(read: VehicleRead, plate: string): MatchedSession {
  return {
    id: refKey(read),
    status: "unmatched",
    plate,
    exitPlate: plate,
    entryAt: null,
    exitAt: read.at,
    entry: null,
    exit: ref(read),
    matchedBy: null,
  };
}

/**
 * Closes, with exit `read`, the session it matches among `open` (in entry order), removing it
 * from `open`; false when it matches none.
 */
export function closeOpen(open: MatchedSession[], read: VehicleRead, plate: string): boolean {
  const index = findOpen(open, read.at, (other) => other === plate);
  const fuzzy = index < 0 ? findOpen(open, read.at, (other) => differsByOneConfusable(other, plate)) : -1;
  const chosen = index >= 0 ? index : fuzzy;
  const session = chosen >= 0 ? open[chosen] : undefined;
  if (session === undefined) return false;
  open.splice(chosen, 1);
  session.status = "closed";
  session.exitPlate = plate;
  session.exitAt = read.at;
  session.exit = ref(read);
  session.matchedBy = index >= 0 ? "exact" : "fuzzy";
  return true;
}

/** Index of the latest open session (they are in entry order) entered before `at` whose plate fits. */
function findOpen(open: MatchedSession[], at: number, fits: (plate: string) => boolean): number {
  for (let i = open.length - 1; i >= 0; i--) {
    const session = open[i] as MatchedSession;
    if ((session.entryAt as number) < at && fits(session.plate)) return i;
  }
  return -1;
}

export function sessionStart(session: MatchedSession): number {
  return session.entryAt ?? (session.exitAt as number);
}

/** Start order, then id: the order of `matchSessions`' result. */
export function compareSessions(a: MatchedSession, b: MatchedSession): number {
  const byStart = sessionStart(a) - sessionStart(b);
  if (byStart !== 0) return byStart;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
