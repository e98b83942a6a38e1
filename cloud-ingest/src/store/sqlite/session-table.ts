import { confusableKey, normalizePlate } from "@lotwatch/protocol/plate.js";
import type Database from "better-sqlite3";
import type { TimedEvent } from "../../counts/count-time.js";
import { appendRead } from "../../sessions/append-read.js";
import { DEFAULT_DEBOUNCE_MS } from "../../sessions/match-sessions.js";
import { type GroupContext, recomputeGroup } from "../../sessions/recompute-group.js";
import { refKey, type Session, type VehicleRead } from "../../sessions/session.js";
import type { SessionChanges, StoredSession } from "../../sessions/session-changes.js";
import type { SessionPage, SessionQuery } from "../../sessions/session-query.js";
import { summaryOf } from "../../summaries/summary-record.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import { countLaneReads } from "../count-batch.js";
import type { CountBatch } from "./count-store.js";
import type { OutboxTable } from "./outbox-table.js";
import {
  fromTuple,
  type ReadTuple,
  type SessionRow,
  type SessionTuple,
  sessionValues,
  startOf,
  TUPLE_COLUMNS,
  toRead,
  toSession,
  UPDATE_COLUMNS,
  UPSERT_COLUMNS,
  updateValues,
} from "./session-rows.js";

export interface SessionTableOptions {
  topology: TopologyIndex;
  outbox: OutboxTable;
  debounceMs?: number;
}

export interface SessionTable {
  /**
   * Keeps the vehicle reads among freshly stored events, at their count time, and recomputes the
   * sessions of every plate group they touch, appending due summary records, and which of the
   * group's reads move counts (into `counting`). A read stored before takes its new time (its
   * gateway's clock was re-measured). Runs inside the batch's transaction.
   */
  ingest(gateway: string, events: readonly TimedEvent[], now: number, counting: CountBatch): void;
  list(site: string, query: SessionQuery): SessionPage;
}

/** A plate group a batch touched: its reads stored by this batch, and the earlier times of those it re-timed. */
interface TouchedGroup {
  site: string;
  plateKey: string;
  added: VehicleRead[];
  /** By ref key: the time a read stored before had until this batch re-timed it. */
  movedFrom: Map<string, number>;
}

export function createSessionTable(db: Database.Database, options: SessionTableOptions): SessionTable {
  const { topology, outbox } = options;
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const statements = prepare(db);
  const listStatements = new Map<string, Database.Statement>();

  const context = (site: string, plateKey: string): GroupContext => {
    const group: GroupContext = { site, plateKey, tariff: topology.sites.get(site)?.tariff ?? null };
    if (options.debounceMs !== undefined) group.debounceMs = options.debounceMs;
    return group;
  };

  // Raw rows: better-sqlite3 builds a keyed object per row slowly, and these run for every plate
  // group a batch touches (issue 5).
  const groupSessions = (site: string, plateKey: string) =>
    (statements.groupSessions.all(site, plateKey) as SessionTuple[]).map(fromTuple);

  /**
   * The group's sessions, from its reads: without this batch's (in hand as `added`), so fewer
   * values to build, none for a new visit. A session's id is one of its group's reads, and
   * sessions are written only here: a group with no earlier read has none yet, and skips the query.
   */
  const changesOf = (
    group: GroupContext,
    earlier: readonly VehicleRead[],
    added: readonly VehicleRead[],
  ): [SessionChanges, StoredSession[]] => {
    const stored = earlier.length === 0 ? [] : groupSessions(group.site, group.plateKey);
    // The in-order case (one new read, after all others) takes one matcher step, not a re-match.
    const only = added.length === 1 ? added[0] : undefined;
    const changes =
      (only === undefined ? null : appendRead(only, earlier, stored, group)) ??
      recomputeGroup([...earlier, ...added], stored, group);
    return [changes, stored];
  };

  /** The group's reads before and after the batch; a re-timed one (rare) makes it read all back. */
  const readsOf = (
    { site, plateKey, added, movedFrom }: TouchedGroup,
    storedThrough: number,
  ): { before: VehicleRead[]; after: VehicleRead[] } => {
    if (movedFrom.size === 0) {
      const earlier = (statements.earlierReads.all(site, plateKey, storedThrough) as ReadTuple[]).map(toRead);
      return { before: earlier, after: [...earlier, ...added] };
    }
    const after = (statements.groupReads.all(site, plateKey) as ReadTuple[]).map(toRead);
    const fresh = new Set(added.map(refKey));
    const before = after
      .filter((read) => !fresh.has(refKey(read)))
      .map((read) => ({ ...read, at: movedFrom.get(refKey(read)) ?? read.at }));
    return { before, after };
  };

  const recompute = (touched: TouchedGroup, storedThrough: number, now: number, counting: CountBatch) => {
    const group = context(touched.site, touched.plateKey);
    const { before, after } = readsOf(touched, storedThrough);
    countLaneReads(topology.sites.get(touched.site), touched.site, { before, after, debounceMs }, counting);
    let changes: SessionChanges;
    let stored: StoredSession[];
    if (touched.movedFrom.size === 0) [changes, stored] = changesOf(group, before, touched.added);
    else {
      stored = groupSessions(touched.site, touched.plateKey);
      changes = recomputeGroup(after, stored, group);
    }
    for (const id of changes.deletes) statements.deleteSession.run(id);
    // Records first, so each upsert writes its session's new record id in the same statement.
    const recordIds = new Map<string, number>();
    for (const draft of changes.records) {
      const recordId = outbox.append(summaryOf(draft.session, draft.status, draft.corrects, now), now);
      if (draft.live) recordIds.set(draft.session.id, recordId);
    }
    for (const session of changes.upserts) {
      const lastRecordId = recordIds.get(session.id) ?? null;
      const before = stored.find((other) => other.id === session.id);
      // A plain update of a stored row costs a third less than the upsert's failed insert and update.
      if (before !== undefined && startOf(before) === startOf(session)) {
        statements.updateSession.run(updateValues(session, now, lastRecordId));
      } else {
        statements.upsertSession.run(sessionValues(session, now, lastRecordId));
      }
    }
  };

  return {
    ingest(gateway, events, now, counting) {
      const groups = new Map<string, TouchedGroup>();
      // Rows get rowids past the largest one (no AUTOINCREMENT, none deleted): reads stored
      // before this batch are those up to here.
      let storedThrough = -1;
      for (const { event, t } of events) {
        if (event.type !== "vehicle.entry" && event.type !== "vehicle.exit") continue;
        // Reads of sites the topology does not know are stored as events but make no sessions.
        if (!topology.sites.has(event.site)) continue;
        const plateKey = confusableKey(normalizePlate(event.plate));
        const kind = event.type === "vehicle.entry" ? "entry" : "exit";
        const { seq, site, plate, lane } = event;
        if (storedThrough < 0) storedThrough = statements.lastReadRowid.get() as number;
        const key = `${site}\u0000${plateKey}`;
        let group = groups.get(key);
        if (group === undefined) {
          group = { site, plateKey, added: [], movedFrom: new Map() };
          groups.set(key, group);
        }
        if (statements.addRead.run(gateway, seq, site, plateKey, kind, plate, lane, t).changes > 0) {
          group.added.push({ gateway, seq, kind, plate, lane, at: t });
        } else {
          // Stored before: a re-timed read takes its new time; its old one is what counted.
          const ref = refKey({ gateway, seq });
          if (!group.movedFrom.has(ref))
            group.movedFrom.set(ref, statements.readAt.get(gateway, seq) as number);
          statements.retimeRead.run(t, gateway, seq);
        }
      }
      for (const group of groups.values()) recompute(group, storedThrough, now, counting);
    },
    list(site, query) {
      const { sql, params } = listQuery(site, query);
      let statement = listStatements.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        listStatements.set(sql, statement);
      }
      const rows = statement.all(...params) as SessionRow[];
      const more = rows.length > query.limit;
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        sessions: page.map((row) => withoutRecord(toSession(row))),
        next: more && last !== undefined ? { startedAt: last.started_at, id: last.id } : null,
      };
    },
  };
}

/** Newest start first; keyset paging on (started_at, id) stays stable while sessions are added. */
function listQuery(site: string, query: SessionQuery): { sql: string; params: unknown[] } {
  const where = ["site = ?"];
  const params: unknown[] = [site];
  if (query.status !== undefined) {
    where.push("status = ?");
    params.push(query.status);
  }
  if (query.plate !== undefined) {
    where.push("plate_key = ?", "(plate = ? OR exit_plate = ?)");
    params.push(confusableKey(query.plate), query.plate, query.plate);
  }
  if (query.from !== undefined) {
    where.push("started_at >= ?");
    params.push(query.from);
  }
  if (query.to !== undefined) {
    where.push("started_at < ?");
    params.push(query.to);
  }
  if (query.after !== undefined) {
    where.push("(started_at, id) < (?, ?)");
    params.push(query.after.startedAt, query.after.id);
  }
  params.push(query.limit + 1);
  const sql = `SELECT * FROM sessions WHERE ${where.join(" AND ")} ORDER BY started_at DESC, id DESC LIMIT ?`;
  return { sql, params };
}

function prepare(db: Database.Database) {
  return {
    addRead: db.prepare(`
      INSERT INTO session_reads (gateway, seq, site, plate_key, kind, plate, lane, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (gateway, seq) DO NOTHING`),
    retimeRead: db.prepare("UPDATE session_reads SET at = ? WHERE gateway = ? AND seq = ?"),
    readAt: db.prepare("SELECT at FROM session_reads WHERE gateway = ? AND seq = ?").pluck(),
    groupReads: db
      .prepare(
        "SELECT gateway, seq, kind, plate, lane, at FROM session_reads WHERE site = ? AND plate_key = ?",
      )
      .raw(),
    lastReadRowid: db.prepare("SELECT COALESCE(MAX(rowid), 0) FROM session_reads").pluck(),
    earlierReads: db
      .prepare(
        "SELECT gateway, seq, kind, plate, lane, at FROM session_reads WHERE site = ? AND plate_key = ? AND rowid <= ?",
      )
      .raw(),
    groupSessions: db.prepare(`SELECT ${TUPLE_COLUMNS} FROM sessions WHERE site = ? AND plate_key = ?`).raw(),
    deleteSession: db.prepare("DELETE FROM sessions WHERE id = ?"),
    updateSession: db.prepare(`
      UPDATE sessions SET ${UPDATE_COLUMNS.map((column) =>
        column === "last_record_id" ? "last_record_id = COALESCE(?, last_record_id)" : `${column} = ?`,
      ).join(", ")}
      WHERE id = ?`),
    // A session id is its first read's (gateway, seq), so its site and plate group never change;
    // leaving them out of the SET spares the sessions_group index a rewrite per update.
    upsertSession: db.prepare(`
      INSERT INTO sessions (${UPSERT_COLUMNS.join(", ")})
      VALUES (${UPSERT_COLUMNS.map(() => "?").join(", ")})
      ON CONFLICT (id) DO UPDATE SET
        status = excluded.status,
        plate = excluded.plate, exit_plate = excluded.exit_plate, started_at = excluded.started_at,
        entry_at = excluded.entry_at, exit_at = excluded.exit_at,
        entry_gateway = excluded.entry_gateway, entry_seq = excluded.entry_seq,
        entry_lane = excluded.entry_lane, exit_gateway = excluded.exit_gateway,
        exit_seq = excluded.exit_seq, exit_lane = excluded.exit_lane, matched_by = excluded.matched_by,
        duration_s = excluded.duration_s, fee = excluded.fee, currency = excluded.currency,
        last_record_id = COALESCE(excluded.last_record_id, sessions.last_record_id),
        updated_at = excluded.updated_at`),
  };
}

function withoutRecord(stored: StoredSession): Session {
  const { lastRecordId: _, ...session } = stored;
  return session;
}
