import type Database from "better-sqlite3";
import { createEventBatches, type StoredEntry } from "./event-batches.js";
import type { Migration } from "./migrations.js";

/**
 * Events per batch row when carrying rows over (an agent's envelope holds up to 500); `append`
 * also cuts a row where its seqs would lie SEQ_SPAN apart, as the store does.
 */
const CARRY_BATCH = 500;
const CARRY_PAGE = 5_000;

/**
 * Migration 13: events stored one row per batch (`event_batches`, event-batches.ts) instead of a
 * row each: an insert cost ~3.5 µs per event in SQLite alone, a fifth of the ingest's time
 * (issue 5). Gap events also go to `gateway_gaps`, which the gap report reads. Existing rows are
 * carried over in batches of consecutive seqs received together; `events` becomes a view of the
 * entries, for SQL tools and tests.
 */
export const EVENT_BATCHES_MIGRATION: Migration = {
  version: 13,
  name: "events stored per batch",
  sql: `
    CREATE TABLE event_batches (
      id INTEGER PRIMARY KEY,
      gateway TEXT NOT NULL,
      from_seq INTEGER NOT NULL,
      to_seq INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      events INTEGER NOT NULL,
      unknown_source INTEGER NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX event_batches_seqs ON event_batches (gateway, to_seq, from_seq);
    CREATE TABLE gateway_gaps (
      gateway TEXT NOT NULL,
      seq INTEGER NOT NULL,
      from_seq INTEGER NOT NULL,
      to_seq INTEGER NOT NULL,
      reason TEXT NOT NULL,
      occurred_at INTEGER NOT NULL,
      PRIMARY KEY (gateway, seq)
    ) WITHOUT ROWID;
    INSERT INTO gateway_gaps (gateway, seq, from_seq, to_seq, reason, occurred_at)
      SELECT gateway, seq, json_extract(body, '$.fromSeq'), json_extract(body, '$.toSeq'),
        json_extract(body, '$.reason'), occurred_at
      FROM events WHERE type = 'gateway.gap';
  `,
  up(db) {
    carryEventsIntoBatches(db);
    db.exec(`
      DROP TABLE events;
      CREATE VIEW events AS
        SELECT b.gateway AS gateway, e.value ->> 0 AS seq, e.value ->> 1 AS id, e.value ->> 2 AS type,
          e.value ->> 3 AS site, e.value ->> 4 AS occurred_at, b.received_at AS received_at,
          e.value ->> 6 AS unknown_source, e.value -> 7 AS body, e.value ->> 5 AS t
        FROM event_batches AS b, json_each(b.body) AS e;
    `);
  },
};

interface OldRow {
  seq: number;
  id: string;
  type: string;
  site: string;
  occurred_at: number;
  received_at: number;
  unknown_source: number;
  body: string;
  t: number | null;
}

function carryEventsIntoBatches(db: Database.Database): void {
  const batches = createEventBatches(db);
  const gateways = db.prepare("SELECT DISTINCT gateway FROM events").pluck().all() as string[];
  // Page by page: a connection cannot write while it still reads a statement's rows.
  const page = db.prepare(`
    SELECT seq, id, type, site, occurred_at, received_at, unknown_source, body, t FROM events
    WHERE gateway = ? AND seq > ? ORDER BY seq LIMIT ${CARRY_PAGE}`);
  for (const gateway of gateways) {
    let batch: StoredEntry[] = [];
    let receivedAt = 0;
    for (let rows = page.all(gateway, -1) as OldRow[]; rows.length > 0; ) {
      for (const row of rows) {
        if (batch.length > 0 && (row.received_at !== receivedAt || batch.length >= CARRY_BATCH)) {
          batches.append(gateway, batch, receivedAt);
          batch = [];
        }
        receivedAt = row.received_at;
        const rest = JSON.parse(row.body) as Record<string, unknown>;
        const unknown = row.unknown_source === 1 ? 1 : 0;
        batch.push([
          row.seq,
          row.id,
          row.type,
          row.site,
          row.occurred_at,
          row.t ?? row.occurred_at,
          unknown,
          rest,
        ]);
      }
      rows = page.all(gateway, (rows.at(-1) as OldRow).seq) as OldRow[];
    }
    batches.append(gateway, batch, receivedAt);
  }
}
