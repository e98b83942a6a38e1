import { feeFor, type Tariff } from "./fee.js";
import { matchSessions } from "./match-sessions.js";
import type { MatchedSession, Session, VehicleRead } from "./session.js";
import { type SessionChanges, type StoredSession, sessionChanges } from "./session-changes.js";

export interface GroupContext {
  site: string;
  plateKey: string;
  /** The site's tariff; without one, closed sessions have no fee. */
  tariff: Tariff | null;
  debounceMs?: number;
}

/** Matches, prices and diffs one plate group: every read of it, against what is stored for it. */
export function recomputeGroup(
  reads: readonly VehicleRead[],
  stored: readonly StoredSession[],
  context: GroupContext,
): SessionChanges {
  const options = context.debounceMs === undefined ? {} : { debounceMs: context.debounceMs };
  const { sessions, repeats } = matchSessions(reads, options);
  const priced = sessions.map((session) => priceSession(session, context));
  return sessionChanges(stored, priced, repeats);
}

export function priceSession(session: MatchedSession, context: GroupContext): Session {
  const closed = session.status === "closed";
  const durationS = closed
    ? Math.floor(((session.exitAt as number) - (session.entryAt as number)) / 1000)
    : null;
  const fee = durationS !== null && context.tariff !== null ? feeFor(durationS, context.tariff) : null;
  // Fields spelled out: spreading the matcher's object into one with more fields took V8's slow
  // path, a few µs per session (issue 5).
  return {
    id: session.id,
    status: session.status,
    plate: session.plate,
    exitPlate: session.exitPlate,
    entryAt: session.entryAt,
    exitAt: session.exitAt,
    entry: session.entry,
    exit: session.exit,
    matchedBy: session.matchedBy,
    site: context.site,
    plateKey: context.plateKey,
    durationS,
    fee,
    currency: fee === null ? null : (context.tariff?.currency ?? null),
  };
}
