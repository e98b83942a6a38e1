import type { SummaryStatus } from "../summaries/summary-record.js";
import { type EventRef, refKey, type Session } from "./session.js";

/** A session as stored, with the id of the last summary record written for it. */
export interface StoredSession extends Session {
  lastRecordId: number | null;
}

export interface SummaryDraft {
  session: Session;
  status: SummaryStatus;
  /** The record this one replaces, or null. */
  corrects: number | null;
  /** False for a `void` record: its session is deleted, so there is no row to point at it. */
  live: boolean;
}

export interface SessionChanges {
  upserts: Session[];
  deletes: string[];
  /** In the order they should get record ids. */
  records: SummaryDraft[];
}

/**
 * What to write when a plate group's sessions are recomputed: the rows that changed, the rows that
 * vanished, and the summary records due. A record is due when a session is or was closed or
 * unmatched and changed. A new record `corrects` the session's own last record, else the last record
 * of the old session that held its exit or entry (following the debounce's repeats). An old record
 * nobody corrects, of a session that vanished, gets a `void` record, so no summary is left standing
 * for a session that no longer exists.
 */
export function sessionChanges(
  stored: readonly StoredSession[],
  fresh: readonly Session[],
  repeats: ReadonlyMap<string, string>,
): SessionChanges {
  const storedById = new Map(stored.map((session) => [session.id, session]));
  const freshIds = new Set(fresh.map((session) => session.id));
  const previousOwners = ownersByKeeper(stored, repeats);
  const corrected = new Set<number>();
  const changes: SessionChanges = { upserts: [], deletes: [], records: [] };

  for (const session of fresh) {
    const before = storedById.get(session.id);
    if (before !== undefined && sameSession(before, session)) continue;
    changes.upserts.push(session);
    const ownRecord = before?.lastRecordId ?? null;
    if (session.status === "open" && ownRecord === null) continue;
    const corrects = ownRecord ?? inheritedRecord(session, previousOwners);
    if (corrects !== null) corrected.add(corrects);
    changes.records.push({ session, status: session.status, corrects, live: true });
  }
  for (const session of stored) {
    if (freshIds.has(session.id)) continue;
    changes.deletes.push(session.id);
    if (session.lastRecordId !== null && !corrected.has(session.lastRecordId)) {
      changes.records.push({ session, status: "void", corrects: session.lastRecordId, live: false });
    }
  }
  return changes;
}

/** Old sessions by the ref key of the read that now stands for each of their reads. */
function ownersByKeeper(
  stored: readonly StoredSession[],
  repeats: ReadonlyMap<string, string>,
): Map<string, StoredSession[]> {
  const owners = new Map<string, StoredSession[]>();
  for (const session of stored) {
    for (const ref of [session.exit, session.entry]) {
      if (ref === null) continue;
      const key = repeats.get(refKey(ref)) ?? refKey(ref);
      owners.set(key, [...(owners.get(key) ?? []), session]);
    }
  }
  return owners;
}

function inheritedRecord(session: Session, owners: Map<string, StoredSession[]>): number | null {
  for (const ref of [session.exit, session.entry]) {
    if (ref === null) continue;
    for (const owner of owners.get(refKey(ref)) ?? []) {
      if (owner.id !== session.id && owner.lastRecordId !== null) return owner.lastRecordId;
    }
  }
  return null;
}

const sameRef = (a: EventRef | null, b: EventRef | null) =>
  a === b || (a !== null && b !== null && a.gateway === b.gateway && a.seq === b.seq && a.lane === b.lane);

export function sameSession(a: Session, b: Session): boolean {
  return (
    a.id === b.id &&
    a.site === b.site &&
    a.plateKey === b.plateKey &&
    a.status === b.status &&
    a.plate === b.plate &&
    a.exitPlate === b.exitPlate &&
    a.entryAt === b.entryAt &&
    a.exitAt === b.exitAt &&
    sameRef(a.entry, b.entry) &&
    sameRef(a.exit, b.exit) &&
    a.matchedBy === b.matchedBy &&
    a.durationS === b.durationS &&
    a.fee === b.fee &&
    a.currency === b.currency
  );
}
