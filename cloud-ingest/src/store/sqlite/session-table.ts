import { confusableKey, normalizePlate } from "@lotwatch/protocol/plate.js";
import type Database from "better-sqlite3";
import type { TimedEvent } from "../../counts/count-time.js";
import { recomputeGroup } from "../../sessions/recompute-group.js";
import type { MatchedBy, Session, SessionStatus, VehicleRead } from "../../sessions/session.js";
import type { StoredSession } from "../../sessions/session-changes.js";
import type { SessionPage, SessionQuery } from "../../sessions/session-query.js";
import { summaryOf } from "../../summaries/summary-record.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import type { OutboxTable } from "./outbox-table.js";

export interface SessionTableOptions {
  topology: TopologyIndex;
  outbox: OutboxTable;
  debounceMs?: number;
}

export interface SessionTable {
  /**
   * Keeps the vehicle reads among freshly stored events, at their count time, and recomputes the
   * sessions of every plate group they touch, appending due summary records. A read stored before
   * takes its new time (its gateway's clock was re-measured). Runs inside the batch's transaction.
   */
  ingest(gateway: string, events: readonly TimedEvent[], now: number): void;
  list(site: string, query: SessionQuery): SessionPage;
}

interface ReadRow {
  gateway: string;
  seq: number;
  kind: "entry" | "exit";
  plate: string;
  lane: string;
  at: number;
}

interface SessionRow {
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

export function createSessionTable(db: Database.Database, options: SessionTableOptions): SessionTable {
  const { topology, outbox } = options;
  const statements = prepare(db);
  const listStatements = new Map<string, Database.Statement>();

  const recompute = (site: string, plateKey: string, now: number) => {
    const reads = (statements.groupReads.all(site, plateKey) as ReadRow[]).map(
      (row): VehicleRead => ({ ...row }),
    );
    const stored = (statements.groupSessions.all(site, plateKey) as SessionRow[]).map(toSession);
    const changes = recomputeGroup(reads, stored, {
      site,
      plateKey,
      tariff: topology.sites.get(site)?.tariff ?? null,
      ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
    });
    for (const id of changes.deletes) statements.deleteSession.run(id);
    for (const session of changes.upserts) statements.upsertSession.run(toRow(session, now));
    for (const draft of changes.records) {
      const recordId = outbox.append(summaryOf(draft.session, draft.status, draft.corrects, now), now);
      if (draft.live) statements.setLastRecord.run(recordId, draft.session.id);
    }
  };

  return {
    ingest(gateway, events, now) {
      const groups = new Map<string, { site: string; plateKey: string }>();
      for (const { event, t } of events) {
        if (event.type !== "vehicle.entry" && event.type !== "vehicle.exit") continue;
        // Reads of sites the topology does not know are stored as events but make no sessions.
        if (!topology.sites.has(event.site)) continue;
        const plateKey = confusableKey(normalizePlate(event.plate));
        const kind = event.type === "vehicle.entry" ? "entry" : "exit";
        statements.insertRead.run(gateway, event.seq, event.site, plateKey, kind, event.plate, event.lane, t);
        groups.set(`${event.site}\u0000${plateKey}`, { site: event.site, plateKey });
      }
      for (const { site, plateKey } of groups.values()) recompute(site, plateKey, now);
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
    insertRead: db.prepare(`
      INSERT INTO session_reads (gateway, seq, site, plate_key, kind, plate, lane, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (gateway, seq) DO UPDATE SET at = excluded.at`),
    groupReads: db.prepare(
      "SELECT gateway, seq, kind, plate, lane, at FROM session_reads WHERE site = ? AND plate_key = ?",
    ),
    groupSessions: db.prepare("SELECT * FROM sessions WHERE site = ? AND plate_key = ?"),
    deleteSession: db.prepare("DELETE FROM sessions WHERE id = ?"),
    upsertSession: db.prepare(`
      INSERT INTO sessions (id, site, plate_key, status, plate, exit_plate, started_at, entry_at, exit_at,
        entry_gateway, entry_seq, entry_lane, exit_gateway, exit_seq, exit_lane, matched_by, duration_s, fee,
        currency, updated_at)
      VALUES (@id, @site, @plate_key, @status, @plate, @exit_plate, @started_at, @entry_at, @exit_at,
        @entry_gateway, @entry_seq, @entry_lane, @exit_gateway, @exit_seq, @exit_lane, @matched_by,
        @duration_s, @fee, @currency, @updated_at)
      ON CONFLICT (id) DO UPDATE SET
        site = excluded.site, plate_key = excluded.plate_key, status = excluded.status,
        plate = excluded.plate, exit_plate = excluded.exit_plate, started_at = excluded.started_at,
        entry_at = excluded.entry_at, exit_at = excluded.exit_at,
        entry_gateway = excluded.entry_gateway, entry_seq = excluded.entry_seq,
        entry_lane = excluded.entry_lane, exit_gateway = excluded.exit_gateway,
        exit_seq = excluded.exit_seq, exit_lane = excluded.exit_lane, matched_by = excluded.matched_by,
        duration_s = excluded.duration_s, fee = excluded.fee, currency = excluded.currency,
        updated_at = excluded.updated_at`),
    setLastRecord: db.prepare("UPDATE sessions SET last_record_id = ? WHERE id = ?"),
  };
}

function toRow(session: Session, now: number): Omit<SessionRow, "last_record_id"> & { updated_at: number } {
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

function withoutRecord(stored: StoredSession): Session {
  const { lastRecordId: _, ...session } = stored;
  return session;
}

function toSession(row: SessionRow): StoredSession {
  const ref = (gateway: string | null, seq: number | null, lane: string | null) =>
    gateway === null || seq === null || lane === null ? null : { gateway, seq, lane };
  return {
    id: row.id,
    site: row.site,
    plateKey: row.plate_key,
    status: row.status,
    plate: row.plate,
    exitPlate: row.exit_plate,
    entryAt: row.entry_at,
    exitAt: row.exit_at,
    entry: ref(row.entry_gateway, row.entry_seq, row.entry_lane),
    exit: ref(row.exit_gateway, row.exit_seq, row.exit_lane),
    matchedBy: row.matched_by,
    durationS: row.duration_s,
    fee: row.fee,
    currency: row.currency,
    lastRecordId: row.last_record_id,
  };
}
