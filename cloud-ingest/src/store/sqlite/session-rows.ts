import type { MatchedBy, Session, SessionStatus, VehicleRead } from "../../sessions/session.js";
import type { StoredSession } from "../../sessions/session-changes.js";

/** How sessions and vehicle reads map to their SQLite rows, both ways. */
export interface SessionRow {
  id: string;
  site: string;
  plate_key: string;
  status: SessionStatus;
  plate: string;
  exit_plate: string | null;
  started_at: number;
  entry_at: number | null;
  exit_at: number | null;
  entry_gateway: string | null;
  entry_seq: number | null;
  entry_lane: string | null;
  exit_gateway: string | null;
  exit_seq: number | null;
  exit_lane: string | null;
  matched_by: MatchedBy | null;
  duration_s: number | null;
  fee: number | null;
  currency: string | null;
  last_record_id: number | null;
}

export function toRow(
  session: Session,
  now: number,
): Omit<SessionRow, "last_record_id"> & { updated_at: number } {
  return {
    id: session.id,
    site: session.site,
    plate_key: session.plateKey,
    status: session.status,
    plate: session.plate,
    exit_plate: session.exitPlate,
    started_at: session.entryAt ?? (session.exitAt as number),
    entry_at: session.entryAt,
    exit_at: session.exitAt,
    entry_gateway: session.entry?.gateway ?? null,
    entry_seq: session.entry?.seq ?? null,
    entry_lane: session.entry?.lane ?? null,
    exit_gateway: session.exit?.gateway ?? null,
    exit_seq: session.exit?.seq ?? null,
    exit_lane: session.exit?.lane ?? null,
    matched_by: session.matchedBy,
    duration_s: session.durationS,
    fee: session.fee,
    currency: session.currency,
    updated_at: now,
  };
}

export type ReadTuple = [string, number, "entry" | "exit", string, string, number];

export function toRead([gateway, seq, kind, plate, lane, at]: ReadTuple): VehicleRead {
  return { gateway, seq, kind, plate, lane, at };
}

/** The columns `fromTuple` reads, in its order: the one list both the query and the mapping use. */
const SESSION_COLUMNS = [
  "id",
  "site",
  "plate_key",
  "status",
  "plate",
  "exit_plate",
  "started_at",
  "entry_at",
  "exit_at",
  "entry_gateway",
  "entry_seq",
  "entry_lane",
  "exit_gateway",
  "exit_seq",
  "exit_lane",
  "matched_by",
  "duration_s",
  "fee",
  "currency",
  "last_record_id",
] as const satisfies readonly (keyof SessionRow)[];

export const TUPLE_COLUMNS = SESSION_COLUMNS.join(", ");

/**
 * A session's row values in `UPSERT_COLUMNS` order: bound by position, as building a keyed object
 * per upsert cost about as much as the upsert's own b-tree work (issue 5).
 */
export function sessionValues(session: Session, now: number, lastRecordId: number | null): unknown[] {
  const { entry, exit } = session;
  return [
    session.id,
    session.site,
    session.plateKey,
    session.status,
    session.plate,
    session.exitPlate,
    startOf(session),
    session.entryAt,
    session.exitAt,
    entry === null ? null : entry.gateway,
    entry === null ? null : entry.seq,
    entry === null ? null : entry.lane,
    exit === null ? null : exit.gateway,
    exit === null ? null : exit.seq,
    exit === null ? null : exit.lane,
    session.matchedBy,
    session.durationS,
    session.fee,
    session.currency,
    lastRecordId,
    now,
  ];
}

export const UPSERT_COLUMNS = [...SESSION_COLUMNS, "updated_at"];

/**
 * The columns an update of a stored session sets, in `updateValues` order: not its id, site, plate
 * group nor start (a session's start changes only with its first read's time), so the update
 * rewrites neither the sessions_group nor the sessions_site_start index.
 */
export const UPDATE_COLUMNS = UPSERT_COLUMNS.filter(
  (column) => !["id", "site", "plate_key", "started_at"].includes(column),
);

const UPDATE_POSITIONS = UPDATE_COLUMNS.map((column) => UPSERT_COLUMNS.indexOf(column));

/** `sessionValues` for UPDATE_COLUMNS, then the id. */
export function updateValues(session: Session, now: number, lastRecordId: number | null): unknown[] {
  const values = sessionValues(session, now, lastRecordId);
  return [...UPDATE_POSITIONS.map((position) => values[position]), session.id];
}

/** When a session starts: its entry, or its exit for an unmatched exit. */
export const startOf = (session: Session): number => session.entryAt ?? (session.exitAt as number);

/** A row fetched raw (better-sqlite3 `.raw()`), its values in SESSION_COLUMNS order. */
export type SessionTuple = readonly unknown[];

/** A session row's values in SESSION_COLUMNS order, typed. */
type SessionValues = [
  string,
  string,
  string,
  SessionStatus,
  string,
  string | null,
  number,
  number | null,
  number | null,
  string | null,
  number | null,
  string | null,
  string | null,
  number | null,
  string | null,
  MatchedBy | null,
  number | null,
  number | null,
  string | null,
  number | null,
];

/** By position, not through a keyed row: it runs for every stored session a batch touches. */
export function fromTuple(tuple: SessionTuple): StoredSession {
  const [
    id,
    site,
    plateKey,
    status,
    plate,
    exitPlate,
    ,
    entryAt,
    exitAt,
    entryGateway,
    entrySeq,
    entryLane,
    exitGateway,
    exitSeq,
    exitLane,
    matchedBy,
    durationS,
    fee,
    currency,
    lastRecordId,
  ] = tuple as SessionValues;
  return {
    id,
    site,
    plateKey,
    status,
    plate,
    exitPlate,
    entryAt,
    exitAt,
    entry: eventRef(entryGateway, entrySeq, entryLane),
    exit: eventRef(exitGateway, exitSeq, exitLane),
    matchedBy,
    durationS,
    fee,
    currency,
    lastRecordId,
  };
}

const eventRef = (gateway: string | null, seq: number | null, lane: string | null) =>
  gateway === null || seq === null || lane === null ? null : { gateway, seq, lane };

export function toSession(row: SessionRow): StoredSession {
  return {
    id: row.id,
    site: row.site,
    plateKey: row.plate_key,
    status: row.status,
    plate: row.plate,
    exitPlate: row.exit_plate,
    entryAt: row.entry_at,
    exitAt: row.exit_at,
    entry: eventRef(row.entry_gateway, row.entry_seq, row.entry_lane),
    exit: eventRef(row.exit_gateway, row.exit_seq, row.exit_lane),
    matchedBy: row.matched_by,
    durationS: row.duration_s,
    fee: row.fee,
    currency: row.currency,
    lastRecordId: row.last_record_id,
  };
}
