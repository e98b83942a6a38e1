import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type pg from "pg";
import type { EnvelopeClock } from "../../clock/anchor.js";
import { type ClockSettings, DEFAULT_CLOCK_SETTINGS } from "../../clock/clock-settings.js";
import { clampCount, type NegativeCountHook } from "../../counts/clamp.js";
import { countDeltasFor } from "../../counts/count-deltas.js";
import type { CountChange } from "../../counts/count-feed.js";
import type { TimedEvent } from "../../counts/count-time.js";
import { createLogger, type Logger } from "../../logging/create-logger.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import { batchCounters } from "../sqlite/gateway-table.js";
import type {
  InsertResult,
  Rejection,
  RejectionInput,
  SessionStatusCount,
  Store,
  StoreTotals,
} from "../store.js";
import { connectError, createPool, type PostgresTarget, parsePostgresUrl, redact } from "./connect.js";
import { createCountNotify } from "./count-notify.js";
import { createPgCounts } from "./count-store.js";
import { createPgEventClock } from "./event-clock.js";
import { listPgGaps } from "./gaps.js";
import { createPgGatewayTable } from "./gateway-table.js";
import { lockNames } from "./locks.js";
import { migrate } from "./migrations.js";
import { createPgOutboxTable } from "./outbox-table.js";
import { createPartitions } from "./partitions.js";
import { createPgSessionTable } from "./session-table.js";
import { createSinkLease } from "./sink-lease.js";
import { one, query, run, type Sql } from "./sql.js";
import { withTransaction } from "./transaction.js";

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db?schema=NAME` (schema default `public`). */
  url: string;
  topology: TopologyIndex;
  logger?: Logger;
  sessionDebounceMs?: number;
  clock?: Partial<ClockSettings>;
  onNegativeCount?: NegativeCountHook;
  /** Keep events this many days (by receipt): older monthly partitions are dropped. Default: forever. */
  retentionDays?: number | undefined;
  /** Connections in the pool (default 4). */
  poolSize?: number;
}

/** The Store on PostgreSQL, plus retention. */
export interface PostgresStore extends Store {
  /** Drops what is older than the retention (also run hourly while open); returns what went. */
  expire(now?: number): Promise<{ partitions: string[]; rows: number }>;
}

interface RejectedRow {
  id: number;
  received_at: number;
  gateway: string | null;
  topic: string;
  event_index: number | null;
  reason: string;
  excerpt: string;
}

const DAY_MS = 86_400_000;
const EXPIRE_EVERY_MS = 3_600_000;

// One statement per batch for the keys and one for the rows: a round trip per event would cost
// more than the writes themselves.
const INSERT_KEYS = `INSERT INTO event_keys (gateway, seq, id, received_at)
  SELECT $1, seq, id, $4 FROM unnest($2::bigint[], $3::text[]) AS k(seq, id)
  ON CONFLICT (gateway, seq) DO NOTHING RETURNING seq, id`;
const KEY_ID = "SELECT id FROM event_keys WHERE gateway = $1 AND seq = $2";
const INSERT_EVENTS = `
  INSERT INTO events (gateway, seq, id, type, site, occurred_at, received_at, unknown_source, body,
    t, clock_boot, clock_base, clock_wall)
  SELECT $1, seq, id, type, site, occurred_at, $2, unknown_source, body, t, clock_boot, clock_base, clock_wall
  FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::boolean[], $9::text[],
    $10::bigint[], $11::text[], $12::bigint[], $13::bigint[])
    AS e(seq, id, type, site, occurred_at, unknown_source, body, t, clock_boot, clock_base, clock_wall)`;
const GET_EVENT = "SELECT body, received_at, t, unknown_source FROM events WHERE gateway = $1 AND seq = $2";
const INSERT_REJECTED = `INSERT INTO rejected (received_at, gateway, topic, event_index, reason, excerpt)
  VALUES ($1, $2, $3, $4, $5, $6)`;
const LIST_REJECTED = "SELECT * FROM rejected ORDER BY id DESC LIMIT $1";
const GATEWAY_SITE = "SELECT site FROM gateways WHERE id = $1";
const TOTALS = `
  SELECT
    (SELECT COUNT(*) FROM events) AS events,
    (SELECT COALESCE(SUM(duplicates), 0)::bigint FROM gateways) AS duplicates,
    (SELECT COUNT(*) FROM events WHERE unknown_source) AS "unknownSource",
    (SELECT COUNT(*) FROM rejected) AS rejected`;
const SESSIONS_BY_STATUS =
  "SELECT site, status, COUNT(*) AS count FROM sessions GROUP BY site, status ORDER BY site, status";

/**
 * Connects, migrates and returns the PostgreSQL store. Several ingests may share it: each batch
 * runs in one transaction holding advisory locks on its gateway and sites (docs/scaling.md).
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const logger = options.logger ?? createLogger("store");
  const target: PostgresTarget = parsePostgresUrl(options.url);
  const pool = createPool(target, { max: options.poolSize ?? 4 });
  // An idle connection the server drops must not crash the process; the next query reconnects.
  pool.on("error", (error) => logger.warn({ err: error }, "an idle PostgreSQL connection failed"));
  try {
    const ran = await migrate(pool, target.schema);
    if (ran.length > 0) {
      logger.info({ db: redact(options.url), migrations: ran }, "database schema migrated");
    }
  } catch (error) {
    await pool.end().catch(() => {});
    if (error instanceof LotwatchError) throw error;
    throw connectError(target, error);
  }
  const { topology } = options;
  const counts = createPgCounts({ topology, logger, onNegativeCount: options.onNegativeCount });
  const countNotify = createCountNotify(target, { logger, publish: counts.publish });
  const clocks = createPgEventClock({ ...DEFAULT_CLOCK_SETTINGS, ...options.clock });
  const gateways = createPgGatewayTable(clocks.table);
  const outbox = createPgOutboxTable();
  const sessions = createPgSessionTable({ topology, outbox, debounceMs: options.sessionDebounceMs });
  const partitions = createPartitions(pool);
  const sinkLease = createSinkLease(pool, target.schema, logger);
  let closed = false;

  const insertRejected = async (sql: Sql, rejections: readonly RejectionInput[], receivedAt: number) => {
    for (const r of rejections) {
      await run(sql, INSERT_REJECTED, [receivedAt, r.gateway, r.topic, r.eventIndex, r.reason, r.excerpt]);
    }
  };

  const insertBatch = async (
    sql: Sql,
    gateway: string,
    events: readonly LotwatchEvent[],
    receivedAt: number,
    rejected: readonly RejectionInput[],
    envelope: EnvelopeClock | undefined,
  ): Promise<{ result: InsertResult; changes: CountChange[] }> => {
    // The gateway's lock orders its batches (clock anchors, dedupe); the sites' locks order every
    // count timeline and plate group they touch, whichever worker holds the batch.
    const known = await one<{ site: string | null }>(sql, GATEWAY_SITE, [gateway]);
    const sites = new Set(events.map((event) => event.site));
    if (known?.site) sites.add(known.site);
    await lockNames(sql, [`gateway:${gateway}`, ...[...sites].map((site) => `site:${site}`)]);

    const result: InsertResult = { inserted: 0, duplicates: 0, unknownSource: 0, rejected: rejected.length };
    const timed: TimedEvent[] = [];
    const counting = counts.batch(sql, receivedAt);
    const clock = await clocks.begin(sql, gateway, envelope, receivedAt);
    const moved = await clock.retime(async (event, from, to) => {
      const effect = countDeltasFor(topology.sites.get(event.site), event);
      if (effect.known) await counting.move(gateway, event, effect, from, to);
      timed.push({ event, t: to });
    });
    if (moved > 0)
      logger.info({ gateway, moved }, "re-timed stored events: the gateway's clock anchor improved");
    const fresh = await insertKeys(sql, gateway, events, receivedAt);
    const rows: unknown[][] = [];
    for (const [index, event] of events.entries()) {
      const effect = countDeltasFor(topology.sites.get(event.site), event);
      const time = await clock.timeOf(event);
      if (!fresh.has(index)) {
        result.duplicates++;
        const existing = await one<{ id: string }>(sql, KEY_ID, [gateway, event.seq]);
        if (existing && existing.id !== event.id) {
          logger.warn(
            { gateway, seq: event.seq, storedId: existing.id, newId: event.id },
            "seq reused with a different event id; kept the first (the gateway's seq counter went back?)",
          );
        }
        continue;
      }
      rows.push([
        event.seq,
        event.id,
        event.type,
        event.site,
        Date.parse(event.occurredAt),
        !effect.known,
        JSON.stringify(event),
        time.t,
        time.boot,
        time.base,
        time.wallBase,
      ]);
      result.inserted++;
      timed.push({ event, t: time.t });
      if (effect.known) {
        if (effect.warning) logger.warn({ gateway, seq: event.seq }, effect.warning);
        await counting.add(gateway, event, effect, time.t);
      } else {
        result.unknownSource++;
        logger.warn(
          { gateway, seq: event.seq, reason: effect.reason },
          "event from an unknown source stored",
        );
      }
    }
    await insertEvents(sql, gateway, receivedAt, rows);
    const records = await sessions.ingest(sql, gateway, timed, receivedAt, counting);
    const changes = await counting.finish();
    await insertRejected(sql, rejected, receivedAt);
    await gateways.addCounters(sql, gateway, batchCounters(events[0]?.site ?? null, result), receivedAt);
    await records.append(sql);
    return { result, changes };
  };

  const open = () => {
    if (closed) throw new LotwatchError("store_closed", "the store is closed (the ingest is shutting down)");
  };

  const expire = async (now = Date.now()) => {
    if (options.retentionDays === undefined) return { partitions: [], rows: 0 };
    const cutoff = now - options.retentionDays * DAY_MS;
    const expired = await partitions.expire(cutoff);
    if (expired.partitions.length > 0 || expired.rows > 0) {
      logger.info({ ...expired, cutoff: new Date(cutoff).toISOString() }, "expired data past the retention");
    }
    return expired;
  };
  const expiry =
    options.retentionDays === undefined
      ? undefined
      : setInterval(() => {
          expire().catch((error: unknown) => logger.error({ err: error }, "retention failed"));
        }, EXPIRE_EVERY_MS).unref();
  if (options.retentionDays !== undefined) await expire();

  return {
    expire,
    async insertBatch(gateway, events, receivedAt, rejected = [], envelope) {
      open();
      await partitions.ensure(receivedAt);
      const { result, changes } = await withTransaction(pool, async (sql) => {
        const inserted = await insertBatch(sql, gateway, events, receivedAt, rejected, envelope);
        await countNotify.send(sql, inserted.changes);
        return inserted;
      });
      counts.publish(changes);
      return result;
    },
    async recordRejected(rejections, receivedAt) {
      open();
      await withTransaction(pool, async (sql) => {
        await insertRejected(sql, rejections, receivedAt);
        for (const r of rejections) {
          if (r.gateway === null) continue;
          await gateways.addCounters(
            sql,
            r.gateway,
            { site: null, events: 0, duplicates: 0, unknownSource: 0, rejected: 1 },
            receivedAt,
          );
        }
      });
    },
    async listRejected(limit) {
      open();
      return (await query<RejectedRow>(pool, LIST_REJECTED, [limit])).map(toRejection);
    },
    async recordGatewayStatus(status, receivedAt) {
      open();
      await gateways.recordStatus(pool, status, receivedAt);
    },
    async listGateways() {
      open();
      return gateways.list(pool);
    },
    async getEvent(gateway, seq) {
      open();
      const row = await one<{ body: string; received_at: number; t: number; unknown_source: boolean }>(
        pool,
        GET_EVENT,
        [gateway, seq],
      );
      if (row === undefined) return null;
      return {
        gateway,
        receivedAt: row.received_at,
        t: row.t,
        unknownSource: row.unknown_source,
        event: JSON.parse(row.body) as LotwatchEvent,
      };
    },
    async listGaps(gateway, page) {
      open();
      return listPgGaps(pool, gateway, page);
    },
    async currentCounts(site) {
      open();
      return counts.current(pool, site);
    },
    async countAt(site, space, atMs) {
      open();
      return (await counts.countsAt(pool, site, space, [atMs]))[0] ?? clampCount(0);
    },
    async countsAt(site, space, times) {
      open();
      return counts.countsAt(pool, site, space, times);
    },
    async listSlots(site) {
      open();
      return counts.slots(pool, site);
    },
    subscribeCounts(listener) {
      void countNotify.listen();
      return counts.subscribe(listener);
    },
    async listSessions(site, sessionQuery) {
      open();
      return sessions.list(pool, site, sessionQuery);
    },
    async readOutbox(sink, limit) {
      open();
      // Another worker sharing the database delivers this sink: nothing to read here.
      if (!(await sinkLease.holds(sink))) return [];
      return outbox.read(pool, sink, limit);
    },
    async markDelivered(sink, throughRecordId) {
      open();
      await outbox.markDelivered(pool, sink, throughRecordId, Date.now());
    },
    async pruneOutbox(sinks, recordedBefore, limit) {
      open();
      return outbox.prune(pool, sinks, recordedBefore, limit);
    },
    async totals() {
      open();
      return (await one<StoreTotals & pg.QueryResultRow>(pool, TOTALS)) as StoreTotals;
    },
    async sessionsByStatus() {
      open();
      return query<SessionStatusCount & pg.QueryResultRow>(pool, SESSIONS_BY_STATUS);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (expiry !== undefined) clearInterval(expiry);
      await sinkLease.close();
      await countNotify.close();
      await pool.end();
    },
  };
}

/** Stores the batch's (gateway, seq) keys; returns the indexes of the events stored for the first time. */
async function insertKeys(
  sql: Sql,
  gateway: string,
  events: readonly LotwatchEvent[],
  receivedAt: number,
): Promise<Set<number>> {
  if (events.length === 0) return new Set();
  const stored = await query<{ seq: number; id: string }>(sql, INSERT_KEYS, [
    gateway,
    events.map((event) => event.seq),
    events.map((event) => event.id),
    receivedAt,
  ]);
  const storedId = new Map(stored.map((row) => [row.seq, row.id]));
  const fresh = new Set<number>();
  for (const [index, event] of events.entries()) {
    // A seq twice in one batch: the first is stored, the repeat is a duplicate like any other.
    if (storedId.get(event.seq) === event.id) {
      fresh.add(index);
      storedId.delete(event.seq);
    }
  }
  return fresh;
}

/** The batch's new event rows (seq, id, type, site, occurred_at, unknown_source, body, t, clock…). */
async function insertEvents(sql: Sql, gateway: string, receivedAt: number, rows: readonly unknown[][]) {
  if (rows.length === 0) return;
  const column = (i: number) => rows.map((row) => row[i]);
  await run(sql, INSERT_EVENTS, [gateway, receivedAt, ...Array.from({ length: 11 }, (_, i) => column(i))]);
}

function toRejection(row: RejectedRow): Rejection {
  return {
    id: row.id,
    receivedAt: row.received_at,
    gateway: row.gateway,
    topic: row.topic,
    eventIndex: row.event_index,
    reason: row.reason,
    excerpt: row.excerpt,
  };
}
