import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type Database from "better-sqlite3";
import type { EnvelopeClock } from "../../clock/anchor.js";
import { type ClockSettings, DEFAULT_CLOCK_SETTINGS } from "../../clock/clock-settings.js";
import type { NegativeCountHook } from "../../counts/clamp.js";
import { clampCount } from "../../counts/clamp.js";
import { countDeltasFor } from "../../counts/count-deltas.js";
import type { CountChange } from "../../counts/count-feed.js";
import { createSqliteGaps } from "../../gaps/sqlite-gaps.js";
import { createLogger, type Logger } from "../../logging/create-logger.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import type { InsertResult, Rejection, RejectionInput, Store, StoredEvent } from "../store.js";
import { startCheckpointer } from "./checkpointer.js";
import { type CountBatch, createSqliteCounts } from "./count-store.js";
import { createDerivation, type DerivationJob } from "./derivation.js";
import { createEventBatches, eventOf, type StoredEntry } from "./event-batches.js";
import { slimRest } from "./event-body.js";
import { createEventClock } from "./event-clock.js";
import { batchCounters, createGatewayTable } from "./gateway-table.js";
import { createGroupCommit } from "./group-commit.js";
import { createMetricsQueries } from "./metrics-queries.js";
import { migrate } from "./migrations.js";
import { openDatabase, type SyncMode } from "./open-database.js";
import { createOutboxTable } from "./outbox-table.js";
import { createSessionTable } from "./session-table.js";
import { createWalSync } from "./wal-sync.js";

export interface SqliteStoreOptions {
  /** A file path, or ":memory:". */
  path: string;
  topology: TopologyIndex;
  logger?: Logger;
  /** Session matching: repeated reads of a plate on a lane closer than this are one. Default 30 s. */
  sessionDebounceMs?: number;
  /** How gateway clocks are corrected (README "Clock"); defaults in DEFAULT_CLOCK_SETTINGS. */
  clock?: Partial<ClockSettings>;
  /** Called when a space's count goes (further) below zero, e.g. for a metric. */
  onNegativeCount?: NegativeCountHook;
  /**
   * `full` (default): a write is on disk before it is acknowledged, flushed by wal-sync.ts rather
   * than by SQLite's `synchronous = FULL`; `normal`: see open-database.ts.
   */
  sync?: SyncMode;
  /**
   * WAL checkpoints in a worker thread (checkpointer.ts) instead of inside commits. Default false
   * (a thread per store is too much for tests and tools); the ingest turns it on.
   */
  checkpointWorker?: boolean;
}

type InsertBatchArgs = [
  gateway: string,
  events: LotwatchEvent[],
  receivedAt: number,
  rejected: RejectionInput[],
  envelope: EnvelopeClock | undefined,
];

/** Batches handed in during one event-loop turn share a commit up to this many events (group-commit.ts). */
const GROUP_MAX_EVENTS = 2_000;

interface RejectedRow {
  id: number;
  received_at: number;
  gateway: string | null;
  topic: string;
  event_index: number | null;
  reason: string;
  excerpt: string;
}

/** The default Store: one SQLite file, written synchronously inside transactions. */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const logger = options.logger ?? createLogger("store");
  const db = openDatabase(options.path, { sync: options.sync ?? "full" });
  try {
    const ran = migrate(db);
    if (ran.length > 0) logger.info({ path: options.path, migrations: ran }, "database schema migrated");
  } catch (error) {
    db.close();
    throw error;
  }
  const counts = createSqliteCounts({
    db,
    topology: options.topology,
    logger,
    onNegativeCount: options.onNegativeCount,
  });
  const eventBatches = createEventBatches(db);
  const clocks = createEventClock(db, eventBatches, { ...DEFAULT_CLOCK_SETTINGS, ...options.clock });
  const gateways = createGatewayTable(db, clocks.table);
  const metricsQueries = createMetricsQueries(db);
  const gaps = createSqliteGaps(db, eventBatches);
  const statements = prepare(db);
  const outbox = createOutboxTable(db);
  const sessions = createSessionTable(db, {
    topology: options.topology,
    outbox,
    debounceMs: options.sessionDebounceMs,
  });
  const derivation = createDerivation({ db, topology: options.topology, counts, sessions, logger });
  try {
    derivation.catchUp();
  } catch (error) {
    db.close();
    throw error;
  }
  // `full`: every acknowledged write awaits an fdatasync of the WAL off the loop (wal-sync.ts).
  const walSync = (options.sync ?? "full") === "full" ? createWalSync(db, { logger }) : undefined;
  const checkpointer =
    options.checkpointWorker === true ? startCheckpointer(db, { logger }) : { close: async () => {} };

  const insertRejected = (rejections: RejectionInput[], receivedAt: number) => {
    for (const r of rejections) {
      statements.insertRejected.run(receivedAt, r.gateway, r.topic, r.eventIndex, r.reason, r.excerpt);
    }
  };

  const insertBatch = db.transaction(
    ([gateway, events, receivedAt, rejected, envelope]: InsertBatchArgs): {
      result: InsertResult;
      /** Published only once the transaction holding them committed. */
      countChanges: CountChange[];
    } => {
      const result: InsertResult = {
        inserted: 0,
        duplicates: 0,
        unknownSource: 0,
        rejected: rejected.length,
      };
      const job: DerivationJob = { gateway, receivedAt, counted: [], timed: [], changes: [] };
      const clock = clocks.begin(gateway, envelope, receivedAt);
      // Usually none moves, and the counts and sessions wait for the second transaction.
      let counting: CountBatch | null = null;
      const moved = clock.retime((event, from, to) => {
        if (counting === null) {
          job.changes.push(...derivation.deriveNow());
          counting = counts.batch(receivedAt);
        }
        const effect = countDeltasFor(options.topology.sites.get(event.site), event);
        if (effect.known) counting.move(gateway, event, effect, from, to);
        job.timed.push({ event, t: to });
      });
      if (moved > 0)
        logger.info({ gateway, moved }, "re-timed stored events: the gateway's clock anchor improved");
      // Usually none: one index seek for the batch. Then the seqs of this batch, as it goes.
      const storedIds = eventBatches.storedIds(
        gateway,
        events.map((event) => event.seq),
      );
      const entries: StoredEntry[] = [];
      for (const event of events) {
        const storedId = storedIds.get(event.seq);
        if (storedId !== undefined) {
          result.duplicates++;
          if (storedId !== event.id) {
            logger.warn(
              { gateway, seq: event.seq, storedId, newId: event.id },
              "seq reused with a different event id; kept the first (the gateway's seq counter went back?)",
            );
          }
          continue;
        }
        storedIds.set(event.seq, event.id);
        const effect = countDeltasFor(options.topology.sites.get(event.site), event);
        const occurredAt = Date.parse(event.occurredAt);
        const time = clock.timeOf(event, occurredAt);
        // Checked here, not left to the counts' NOT NULL: those are written after this commit.
        if (!Number.isFinite(time.t)) {
          throw new LotwatchError(
            "event_time_invalid",
            `event ${event.seq} of gateway "${gateway}" has no usable time (occurredAt ${JSON.stringify(event.occurredAt)}); nothing of its batch is stored`,
          );
        }
        entries.push([
          event.seq,
          event.id,
          event.type,
          event.site,
          occurredAt,
          time.t,
          effect.known ? 0 : 1,
          slimRest(event, occurredAt),
        ]);
        gaps.record(gateway, event, occurredAt);
        result.inserted++;
        clock.stored(event.seq, time);
        job.timed.push({ event, t: time.t });
        if (effect.known) {
          if (effect.warning) logger.warn({ gateway, seq: event.seq }, effect.warning);
          job.counted.push([event, effect, time.t]);
        } else {
          result.unknownSource++;
          logger.warn(
            { gateway, seq: event.seq, reason: effect.reason },
            "event from an unknown source stored",
          );
        }
      }
      eventBatches.append(gateway, entries, receivedAt);
      clock.finish();
      insertRejected(rejected, receivedAt);
      gateways.addCounters(gateway, batchCounters(events[0]?.site ?? null, result), receivedAt);
      // Re-timed stored events: their moves and this batch's events are counted here, together.
      if (counting === null) derivation.queue(job);
      else derivation.deriveWith(job, counting);
      return { result, countChanges: job.changes };
    },
  );

  const batches = createGroupCommit({
    db,
    write: insertBatch,
    weigh: (batch: InsertBatchArgs) => batch[1].length,
    maxWeight: GROUP_MAX_EVENTS,
    durable: walSync,
    beforeCommit: derivation.beforeCommit,
    afterCommit: derivation.afterCommit,
    afterFailure: derivation.afterFailure,
  });
  const durably = async () => {
    await walSync?.flush();
  };

  const recordRejected = db.transaction((rejections: RejectionInput[], receivedAt: number) => {
    insertRejected(rejections, receivedAt);
    for (const r of rejections) {
      if (r.gateway === null) continue;
      gateways.addCounters(
        r.gateway,
        { site: null, events: 0, duplicates: 0, unknownSource: 0, rejected: 1 },
        receivedAt,
      );
    }
  });

  const open = () => {
    if (!db.open)
      throw new LotwatchError("store_closed", "the store is closed (the ingest is shutting down)");
  };

  return {
    async insertBatch(gateway, events, receivedAt, rejected = [], envelope) {
      open();
      const { result, countChanges } = await batches.submit([
        gateway,
        events,
        receivedAt,
        rejected,
        envelope,
      ]);
      counts.publish(countChanges);
      return result;
    },
    async recordRejected(rejections, receivedAt) {
      open();
      // IMMEDIATE, as in group-commit.ts.
      recordRejected.immediate(rejections, receivedAt);
      await durably();
    },
    async listRejected(limit) {
      open();
      return (statements.listRejected.all(limit) as RejectedRow[]).map(toRejection);
    },
    async recordGatewayStatus(status, receivedAt) {
      open();
      gateways.recordStatus(status, receivedAt);
      await durably();
    },
    async listGateways() {
      open();
      return gateways.list();
    },
    async getEvent(gateway, seq) {
      open();
      const located = eventBatches.get(gateway, seq);
      if (located === null) return null;
      const stored: StoredEvent = {
        gateway,
        receivedAt: located.receivedAt,
        t: located.entry[5],
        unknownSource: located.entry[6] === 1,
        event: eventOf(located.entry),
      };
      return stored;
    },
    async listGaps(gateway, page) {
      open();
      return gaps.list(gateway, page);
    },
    async currentCounts(site) {
      open();
      return counts.current(site);
    },
    async countAt(site, space, atMs) {
      open();
      return counts.countsAt(site, space, [atMs])[0] ?? clampCount(0);
    },
    async countsAt(site, space, times) {
      open();
      return counts.countsAt(site, space, times);
    },
    async listSlots(site) {
      open();
      return counts.slots(site);
    },
    subscribeCounts(listener) {
      return counts.subscribe(listener);
    },
    async listSessions(site, query) {
      open();
      return sessions.list(site, query);
    },
    async readOutbox(sink, limit) {
      open();
      return outbox.read(sink, limit);
    },
    async markDelivered(sink, throughRecordId) {
      open();
      outbox.markDelivered(sink, throughRecordId, Date.now());
      await durably();
    },
    async pruneOutbox(sinks, recordedBefore, limit) {
      open();
      return outbox.prune(sinks, recordedBefore, limit);
    },
    async totals() {
      open();
      const stored = eventBatches.totals();
      const rest = statements.totals.get() as { duplicates: number; rejected: number };
      return {
        events: stored.events,
        duplicates: rest.duplicates,
        unknownSource: stored.unknownSource,
        rejected: rest.rejected,
      };
    },
    async sessionsByStatus() {
      open();
      return metricsQueries.sessionsByStatus();
    },
    async close() {
      if (db.open) batches.flush();
      await walSync?.close();
      await checkpointer.close();
      if (db.open) db.close();
    },
  };
}

function prepare(db: Database.Database) {
  return {
    insertRejected: db.prepare(
      "INSERT INTO rejected (received_at, gateway, topic, event_index, reason, excerpt) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    listRejected: db.prepare("SELECT * FROM rejected ORDER BY id DESC LIMIT ?"),
    totals: db.prepare(`
      SELECT
        (SELECT COALESCE(SUM(duplicates), 0) FROM gateways) AS duplicates,
        (SELECT COUNT(*) FROM rejected) AS rejected`),
  };
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
