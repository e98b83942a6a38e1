import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type Database from "better-sqlite3";
import { clampCount } from "../../counts/clamp.js";
import { type CountDelta, countDeltasFor } from "../../counts/count-deltas.js";
import { createLogger, type Logger } from "../../logging/create-logger.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import type { InsertResult, Rejection, RejectionInput, Store, StoredEvent } from "../store.js";
import { createCountHistory } from "./count-history.js";
import { createGatewayTable } from "./gateway-table.js";
import { migrate } from "./migrations.js";
import { openDatabase } from "./open-database.js";

export interface SqliteStoreOptions {
  /** A file path, or ":memory:". */
  path: string;
  topology: TopologyIndex;
  logger?: Logger;
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

/** The default Store: one SQLite file, written synchronously inside transactions. */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const logger = options.logger ?? createLogger("store");
  const db = openDatabase(options.path);
  try {
    const ran = migrate(db);
    if (ran.length > 0) logger.info({ path: options.path, migrations: ran }, "database schema migrated");
  } catch (error) {
    db.close();
    throw error;
  }
  const history = createCountHistory(db);
  const gateways = createGatewayTable(db);
  const statements = prepare(db);

  const applyDeltas = (gateway: string, event: LotwatchEvent, deltas: CountDelta[], receivedAt: number) => {
    const t = Date.parse(event.occurredAt);
    for (const { space, delta } of deltas) {
      history.add(event.site, space, t, delta, gateway, event.seq);
      const { count } = statements.bumpCount.get(event.site, space, delta, receivedAt) as { count: number };
      if (count < 0) {
        logger.warn(
          { site: event.site, space, rawCount: count, gateway, seq: event.seq },
          "count below zero (answers clamp it to 0): more exits than entries, an entry read was probably missed",
        );
      }
    }
  };

  const insertRejected = (rejections: RejectionInput[], receivedAt: number) => {
    for (const r of rejections) {
      statements.insertRejected.run(receivedAt, r.gateway, r.topic, r.eventIndex, r.reason, r.excerpt);
    }
  };

  const insertBatch = db.transaction(
    (
      gateway: string,
      events: LotwatchEvent[],
      receivedAt: number,
      rejected: RejectionInput[],
    ): InsertResult => {
      const result: InsertResult = {
        inserted: 0,
        duplicates: 0,
        unknownSource: 0,
        rejected: rejected.length,
      };
      for (const event of events) {
        const counting = countDeltasFor(options.topology.sites.get(event.site), event);
        const stored = statements.insertEvent.run(
          gateway,
          event.seq,
          event.id,
          event.type,
          event.site,
          Date.parse(event.occurredAt),
          receivedAt,
          counting.known ? 0 : 1,
          JSON.stringify(event),
        );
        if (stored.changes === 0) {
          result.duplicates++;
          const existing = statements.eventId.get(gateway, event.seq) as { id: string } | undefined;
          if (existing && existing.id !== event.id) {
            logger.warn(
              { gateway, seq: event.seq, storedId: existing.id, newId: event.id },
              "seq reused with a different event id; kept the first (the gateway's seq counter went back?)",
            );
          }
          continue;
        }
        result.inserted++;
        if (counting.known) {
          if (counting.warning) logger.warn({ gateway, seq: event.seq }, counting.warning);
          applyDeltas(gateway, event, counting.deltas, receivedAt);
        } else {
          result.unknownSource++;
          logger.warn(
            { gateway, seq: event.seq, reason: counting.reason },
            "event from an unknown source stored",
          );
        }
      }
      insertRejected(rejected, receivedAt);
      gateways.addCounters(
        gateway,
        {
          site: events[0]?.site ?? null,
          events: result.inserted,
          duplicates: result.duplicates,
          unknownSource: result.unknownSource,
          rejected: result.rejected,
        },
        receivedAt,
      );
      return result;
    },
  );

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
    async insertBatch(gateway, events, receivedAt, rejected = []) {
      open();
      return insertBatch(gateway, events, receivedAt, rejected);
    },
    async recordRejected(rejections, receivedAt) {
      open();
      recordRejected(rejections, receivedAt);
    },
    async listRejected(limit) {
      open();
      return (statements.listRejected.all(limit) as RejectedRow[]).map(toRejection);
    },
    async recordGatewayStatus(status, receivedAt) {
      open();
      gateways.recordStatus(status, receivedAt);
    },
    async listGateways() {
      open();
      return gateways.list();
    },
    async getEvent(gateway, seq) {
      open();
      const row = statements.getEvent.get(gateway, seq) as
        | { body: string; received_at: number; unknown_source: number }
        | undefined;
      if (row === undefined) return null;
      const stored: StoredEvent = {
        gateway,
        receivedAt: row.received_at,
        unknownSource: row.unknown_source === 1,
        event: JSON.parse(row.body) as LotwatchEvent,
      };
      return stored;
    },
    async currentCounts(site) {
      open();
      const rows = statements.currentCounts.all(site) as {
        space: string;
        count: number;
        updated_at: number;
      }[];
      return rows.map((row) => ({
        space: row.space,
        reading: clampCount(row.count),
        updatedAt: row.updated_at,
      }));
    },
    async countAt(site, space, atMs) {
      open();
      return clampCount(history.sumAt(site, space, atMs));
    },
    async totals() {
      open();
      return statements.totals.get() as Awaited<ReturnType<Store["totals"]>>;
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

function prepare(db: Database.Database) {
  return {
    insertEvent: db.prepare(`
      INSERT INTO events (gateway, seq, id, type, site, occurred_at, received_at, unknown_source, body)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (gateway, seq) DO NOTHING`),
    eventId: db.prepare("SELECT id FROM events WHERE gateway = ? AND seq = ?"),
    getEvent: db.prepare(
      "SELECT body, received_at, unknown_source FROM events WHERE gateway = ? AND seq = ?",
    ),
    bumpCount: db.prepare(`
      INSERT INTO space_counts (site, space, count, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (site, space) DO UPDATE SET count = count + excluded.count, updated_at = excluded.updated_at
      RETURNING count`),
    currentCounts: db.prepare("SELECT space, count, updated_at FROM space_counts WHERE site = ?"),
    insertRejected: db.prepare(
      "INSERT INTO rejected (received_at, gateway, topic, event_index, reason, excerpt) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    listRejected: db.prepare("SELECT * FROM rejected ORDER BY id DESC LIMIT ?"),
    totals: db.prepare(`
      SELECT
        (SELECT COUNT(*) FROM events) AS events,
        (SELECT COALESCE(SUM(duplicates), 0) FROM gateways) AS duplicates,
        (SELECT COUNT(*) FROM events WHERE unknown_source = 1) AS unknownSource,
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
