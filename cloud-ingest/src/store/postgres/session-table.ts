import { confusableKey, normalizePlate } from "@lotwatch/protocol/plate.js";
import type { TimedEvent } from "../../counts/count-time.js";
import { DEFAULT_DEBOUNCE_MS } from "../../sessions/match-sessions.js";
import { recomputeGroup } from "../../sessions/recompute-group.js";
import type { Session, VehicleRead } from "../../sessions/session.js";
import type { StoredSession } from "../../sessions/session-changes.js";
import type { SessionPage, SessionQuery } from "../../sessions/session-query.js";
import { type SummaryBody, summaryOf } from "../../summaries/summary-record.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import { countLaneReads, type LaneReadCounting } from "../count-batch.js";
import { type SessionRow, toRow, toSession } from "../sqlite/session-rows.js";
import type { PgOutboxTable } from "./outbox-table.js";
import { query, run, type Sql } from "./sql.js";

export interface PgSessionTableOptions {
  topology: TopologyIndex;
  outbox: PgOutboxTable;
  debounceMs?: number | undefined;
}

/** Summary records a batch made, appended to the outbox as the transaction's last step. */
export interface PendingRecords {
  append(sql: Sql): Promise<void>;
}

export interface PgSessionTable {
  /**
   * Stores the vehicle reads among freshly stored events and recomputes every plate group they
   * touch, and which of its reads count (see sqlite/session-table.ts). The caller holds the sites'
   * locks.
   */
  ingest(
    sql: Sql,
    gateway: string,
    events: readonly TimedEvent[],
    now: number,
    counting: LaneReadCounting,
  ): Promise<PendingRecords>;
  list(sql: Sql, site: string, query: SessionQuery): Promise<SessionPage>;
}

// A batch's reads in one statement; each (gateway, seq) appears once in it (the caller dedupes).
const INSERT_READS = `
  INSERT INTO session_reads (gateway, seq, site, plate_key, kind, plate, lane, at)
  SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])
  ON CONFLICT (gateway, seq) DO UPDATE SET at = excluded.at`;
// The touched groups' reads before the batch, in one statement; the batch's are applied in hand.
const GROUPS_READS = `
  SELECT site, plate_key, gateway, seq, kind, plate, lane, at FROM session_reads
  WHERE (site, plate_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;
const GROUP_SESSIONS = "SELECT * FROM sessions WHERE site = $1 AND plate_key = $2";
const DELETE_SESSION = "DELETE FROM sessions WHERE id = $1";
// A session id is its first read's (gateway, seq), so its site and plate group never change.
const UPSERT_SESSION = `
  INSERT INTO sessions (id, site, plate_key, status, plate, exit_plate, started_at, entry_at, exit_at,
    entry_gateway, entry_seq, entry_lane, exit_gateway, exit_seq, exit_lane, matched_by, duration_s, fee,
    currency, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
  ON CONFLICT (id) DO UPDATE SET
    status = excluded.status,
    plate = excluded.plate, exit_plate = excluded.exit_plate, started_at = excluded.started_at,
    entry_at = excluded.entry_at, exit_at = excluded.exit_at,
    entry_gateway = excluded.entry_gateway, entry_seq = excluded.entry_seq,
    entry_lane = excluded.entry_lane, exit_gateway = excluded.exit_gateway,
    exit_seq = excluded.exit_seq, exit_lane = excluded.exit_lane, matched_by = excluded.matched_by,
    duration_s = excluded.duration_s, fee = excluded.fee, currency = excluded.currency,
    updated_at = excluded.updated_at`;
const SET_LAST_RECORD = "UPDATE sessions SET last_record_id = $1 WHERE id = $2";

export function createPgSessionTable(options: PgSessionTableOptions): PgSessionTable {
  const { topology, outbox } = options;
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;

  const recompute = async (
    sql: Sql,
    { site, plateKey, reads }: { site: string; plateKey: string; reads: VehicleRead[] },
    now: number,
    pending: Pending[],
  ) => {
    const stored: StoredSession[] = (await query<SessionRow>(sql, GROUP_SESSIONS, [site, plateKey])).map(
      toSession,
    );
    const changes = recomputeGroup(reads, stored, {
      site,
      plateKey,
      tariff: topology.sites.get(site)?.tariff ?? null,
      ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
    });
    for (const id of changes.deletes) await run(sql, DELETE_SESSION, [id]);
    for (const session of changes.upserts) await run(sql, UPSERT_SESSION, rowValues(session, now));
    for (const draft of changes.records) {
      pending.push({
        body: summaryOf(draft.session, draft.status, draft.corrects, now),
        sessionId: draft.live ? draft.session.id : null,
      });
    }
  };

  return {
    async ingest(sql, gateway, events, now, counting) {
      const groups = new Map<string, Touched>();
      // By seq: a re-timed read and the same read stored again keep the last time, as row by row would.
      const reads = new Map<number, unknown[]>();
      for (const { event, t } of events) {
        if (event.type !== "vehicle.entry" && event.type !== "vehicle.exit") continue;
        // Reads of sites the topology does not know are stored as events but make no sessions.
        if (!topology.sites.has(event.site)) continue;
        const plateKey = confusableKey(normalizePlate(event.plate));
        const kind = event.type === "vehicle.entry" ? "entry" : "exit";
        reads.set(event.seq, [event.seq, event.site, plateKey, kind, event.plate, event.lane, t]);
        const key = `${event.site}\u0000${plateKey}`;
        let group = groups.get(key);
        if (group === undefined) {
          group = { site: event.site, plateKey, before: [], batch: new Map() };
          groups.set(key, group);
        }
        group.batch.set(event.seq, {
          gateway,
          seq: event.seq,
          kind,
          plate: event.plate,
          lane: event.lane,
          at: t,
        });
      }
      if (groups.size === 0) return { append: async () => {} };
      const touched = [...groups.values()];
      const stored = await query<VehicleRead & { site: string; plate_key: string }>(sql, GROUPS_READS, [
        touched.map((group) => group.site),
        touched.map((group) => group.plateKey),
      ]);
      for (const { site, plate_key, ...read } of stored)
        groups.get(`${site}\u0000${plate_key}`)?.before.push(read);
      if (reads.size > 0) {
        const rows = [...reads.values()];
        await run(sql, INSERT_READS, [
          gateway,
          ...Array.from({ length: 7 }, (_, i) => rows.map((row) => row[i])),
        ]);
      }
      const pending: Pending[] = [];
      for (const group of touched) {
        // A read of the batch stored before (re-timed) takes its new time, as the upsert gave it.
        const after = group.before
          .filter((read) => read.gateway !== gateway || !group.batch.has(read.seq))
          .concat([...group.batch.values()]);
        const { site, plateKey, before } = group;
        countLaneReads(topology.sites.get(site), site, { before, after, debounceMs }, counting);
        await recompute(sql, { site, plateKey, reads: after }, now, pending);
      }
      return {
        async append(tx) {
          if (pending.length === 0) return;
          await outbox.lock(tx);
          for (const record of pending) {
            const recordId = await outbox.append(tx, record.body, now);
            if (record.sessionId !== null) await run(tx, SET_LAST_RECORD, [recordId, record.sessionId]);
          }
        },
      };
    },
    async list(sql, site, sessionQuery) {
      const { text, params } = listQuery(site, sessionQuery);
      const rows = await query<SessionRow>(sql, text, params);
      const more = rows.length > sessionQuery.limit;
      const page = rows.slice(0, sessionQuery.limit);
      const last = page[page.length - 1];
      return {
        sessions: page.map((row) => withoutRecord(toSession(row))),
        next: more && last !== undefined ? { startedAt: last.started_at, id: last.id } : null,
      };
    },
  };
}

/** A plate group a batch touched: its reads before, and the batch's own by seq. */
interface Touched {
  site: string;
  plateKey: string;
  before: VehicleRead[];
  batch: Map<number, VehicleRead>;
}

interface Pending {
  body: SummaryBody;
  /** The session the record is now the last of; null for a `void` record. */
  sessionId: string | null;
}

function rowValues(session: Session, now: number): unknown[] {
  const row = toRow(session, now);
  return [
    row.id,
    row.site,
    row.plate_key,
    row.status,
    row.plate,
    row.exit_plate,
    row.started_at,
    row.entry_at,
    row.exit_at,
    row.entry_gateway,
    row.entry_seq,
    row.entry_lane,
    row.exit_gateway,
    row.exit_seq,
    row.exit_lane,
    row.matched_by,
    row.duration_s,
    row.fee,
    row.currency,
    row.updated_at,
  ];
}

/** Newest start first; keyset paging on (started_at, id) stays stable while sessions are added. */
function listQuery(site: string, sessionQuery: SessionQuery): { text: string; params: unknown[] } {
  const params: unknown[] = [site];
  const where = ["site = $1"];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (sessionQuery.status !== undefined) where.push(`status = ${param(sessionQuery.status)}`);
  if (sessionQuery.plate !== undefined) {
    where.push(`plate_key = ${param(confusableKey(sessionQuery.plate))}`);
    const plate = param(sessionQuery.plate);
    where.push(`(plate = ${plate} OR exit_plate = ${plate})`);
  }
  if (sessionQuery.from !== undefined) where.push(`started_at >= ${param(sessionQuery.from)}`);
  if (sessionQuery.to !== undefined) where.push(`started_at < ${param(sessionQuery.to)}`);
  if (sessionQuery.after !== undefined) {
    where.push(
      `(started_at, id) < (${param(sessionQuery.after.startedAt)}, ${param(sessionQuery.after.id)})`,
    );
  }
  const limit = param(sessionQuery.limit + 1);
  const text = `SELECT * FROM sessions WHERE ${where.join(" AND ")} ORDER BY started_at DESC, id DESC LIMIT ${limit}`;
  return { text, params };
}

function withoutRecord(stored: StoredSession): Session {
  const { lastRecordId: _, ...session } = stored;
  return session;
}
