import { countDeltasFor } from "@lotwatch/cloud-ingest/counts/count-deltas.js";
import { createSilentLogger } from "@lotwatch/cloud-ingest/logging/create-logger.js";
import { createCountTimeline, type TimelineOp } from "@lotwatch/cloud-ingest/store/sqlite/count-timeline.js";
import { createSqliteStore } from "@lotwatch/cloud-ingest/store/sqlite/sqlite-store.js";
import { loadTopology } from "@lotwatch/cloud-ingest/topology/load-topology.js";
import { createTopologyIndex, type SiteIndex } from "@lotwatch/cloud-ingest/topology/topology-index.js";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import Database from "better-sqlite3";
import { CAMPUS_GATEWAY, CAMPUS_SITE } from "./campus-topology.js";

/** occurredAt of seq 0; seq n occurred STEP_MS·n (plus under STEP_MS of jitter) later. */
export const START_MS = Date.parse("2025-01-01T00:00:00.000Z");
export const STEP_MS = 3000;
/** Events per envelope of the backfill: rows are cut at its multiples (and where a `growTo` stopped). */
export const ENVELOPE = 500;
/** Every row's received_at: the database holds a backfill received at one moment. */
export const RECEIVED_AT = Date.parse("2026-11-22T12:00:00.000Z");

export interface CountDatabase {
  path: string;
  topologyPath: string;
  site: string;
  /** Spaces with a flow count. */
  spaces: string[];
  /** Events stored so far (seqs 1..events). */
  events(): number;
  /** Appends door crossings until `count` events are stored; they are later than every stored one. */
  growTo(count: number): void;
  /** occurredAt (ms) of the first and the last stored event. */
  timeRange(): { fromMs: number; toMs: number };
}

/**
 * A site's event database built by bulk SQL that writes exactly the rows the SQLite store's
 * `insertBatch` writes for the same door crossings (events with their count time `t` =
 * `occurredAt`, count timelines, count heads, the gateway's counters; no envelope, so no clock
 * anchor); count-database.test.ts checks that against the store's own insert path. The schema
 * comes from the store itself (its migrations run on a new file).
 */
export async function createCountDatabase(path: string, topologyPath: string): Promise<CountDatabase> {
  const topology = createTopologyIndex(loadTopology(topologyPath));
  const site = topology.sites.get(CAMPUS_SITE);
  if (site === undefined)
    throw new LotwatchError("bad_topology", `${topologyPath} has no site ${CAMPUS_SITE}`);
  await createSqliteStore({ path, topology, logger: createSilentLogger() }).close();
  const effects = doorEffects(site);
  const spaces = [...new Set(effects.map((effect) => effect.space))].sort();
  let stored = 0;
  return {
    path,
    topologyPath,
    site: CAMPUS_SITE,
    spaces,
    events: () => stored,
    growTo(count) {
      if (count <= stored) return;
      appendEvents(path, site, effects, stored + 1, count);
      stored = count;
    },
    timeRange: () => ({ fromMs: occurredAtMs(1), toMs: occurredAtMs(Math.max(1, stored)) }),
  };
}

interface DoorEffect {
  door: number;
  name: string;
  space: string;
  /** The delta of a crossing in direction 1 of one person. */
  sign: number;
}

/** What a crossing of each door does, from the ingest's own `countDeltasFor`. */
function doorEffects(site: SiteIndex): DoorEffect[] {
  return [...site.doors.keys()].flatMap((name, door) => {
    const probe = {
      type: "door.crossing",
      id: "00000000-0000-7000-8000-000000000000",
      seq: 1,
      site: site.id,
      occurredAt: new Date(START_MS).toISOString(),
      door: name,
      direction: 1,
    } as LotwatchEvent;
    const counting = countDeltasFor(site, probe);
    if (!counting.known) throw new LotwatchError("bad_topology", counting.reason);
    return counting.deltas.map(({ space, delta }) => ({ door, name, space, sign: delta }));
  });
}

/** The multiplicative hash SQL uses (exact: seq · 2654435761 outgrows a double's integers). */
function hashOf(seq: number): number {
  return Number((BigInt(seq) * 2654435761n) % 4294967296n);
}

/** The door (index), direction and time SQL gives seq n. */
export function crossingOf(seq: number, doors: number): { door: number; direction: 1 | -1; t: number } {
  const hash = hashOf(seq);
  return {
    door: Math.floor(hash / 128) % doors,
    direction: Math.floor(hash / 8) % 2 === 1 ? 1 : -1,
    t: occurredAtMs(seq),
  };
}

export function occurredAtMs(seq: number): number {
  return START_MS + seq * STEP_MS + (Math.floor(hashOf(seq) / 2048) % STEP_MS);
}

const HASH = "((g.seq * 2654435761) % 4294967296)";
const HEX_T = "printf('%012x', g.t)";
/** The UUIDv7 of seq n: its time in the first 48 bits, the seq in the rest (as `eventIdOf`). */
const ID_SQL =
  `substr(${HEX_T}, 1, 8) || '-' || substr(${HEX_T}, 9, 4) || '-7' || printf('%03x', g.seq % 4096) || '-' || ` +
  "printf('%04x', 32768 + (g.seq / 4096) % 16384) || '-' || printf('%012x', g.seq)";

/** The id SQL gives seq n (occurred at `t`): a valid UUIDv7, unique per seq. */
export function eventIdOf(seq: number, t: number): string {
  const hex = t.toString(16).padStart(12, "0");
  const hex4 = (value: number, width: number) => value.toString(16).padStart(width, "0");
  return (
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex4(seq % 4096, 3)}-` +
    `${hex4(32768 + (Math.floor(seq / 4096) % 16384), 4)}-${hex4(seq, 12)}`
  );
}

function appendEvents(path: string, site: SiteIndex, effects: DoorEffect[], from: number, to: number): void {
  const db = new Database(path);
  try {
    // Building a fixture: a crash only costs a rebuild, so no journal, no fsync, a big cache.
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -262144");
    db.pragma("temp_store = MEMORY");
    const names = [...new Map(effects.map((effect) => [effect.door, effect.name]))];
    const params = { gateway: CAMPUS_GATEWAY, site: site.id, receivedAt: RECEIVED_AT };
    db.transaction(() => {
      db.exec(`
        CREATE TEMP TABLE door_names (door INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TEMP TABLE gen (seq INTEGER PRIMARY KEY, t INTEGER, door INTEGER, direction INTEGER, id TEXT);
      `);
      const addName = db.prepare("INSERT INTO door_names VALUES (?, ?)");
      for (const [door, name] of names) addName.run(door, name);
      db.prepare(`
        INSERT INTO gen (seq, t, door, direction, id)
        SELECT g.seq, g.t, g.door, g.direction, ${ID_SQL} FROM (
          WITH RECURSIVE s(seq) AS (SELECT ? UNION ALL SELECT seq + 1 FROM s WHERE seq < ?)
          SELECT g.seq, ${START_MS} + g.seq * ${STEP_MS} + ((${HASH} / 2048) % ${STEP_MS}) AS t,
            (${HASH} / 128) % ${names.length} AS door, CASE (${HASH} / 8) % 2 WHEN 1 THEN 1 ELSE -1 END AS direction
          FROM s AS g) AS g`).run(from, to);
      // The store's rows for envelopes of ENVELOPE events: event-batches.ts entries, in one row each.
      db.prepare(`
        INSERT INTO event_batches (gateway, from_seq, to_seq, received_at, events, unknown_source, body)
        SELECT @gateway, MIN(seq), MAX(seq), @receivedAt, COUNT(*), 0, json_group_array(json(entry) ORDER BY seq)
        FROM (
          SELECT g.seq AS seq, json_array(g.seq, g.id, 'door.crossing', @site, g.t, g.t, 0,
            json_object('uptimeMs', g.t - ${START_MS}, 'door', d.name, 'direction', g.direction)) AS entry
          FROM gen g JOIN door_names d ON d.door = g.door)
        GROUP BY (seq - 1) / ${ENVELOPE} ORDER BY MIN(seq)`).run(params);
      for (const [space, doors] of doorsBySpace(effects)) appendTimeline(db, site.id, space, doors);
      // Counted above: the store's second transaction marks its batches so (derivation.ts).
      db.exec("UPDATE derived_through SET batch = (SELECT MAX(id) FROM event_batches)");
      db.prepare(`
        INSERT INTO gateways (id, site, last_seen, events, duplicates, unknown_source, rejected)
        VALUES (@gateway, @site, @receivedAt, @events, 0, 0, 0)
        ON CONFLICT (id) DO UPDATE SET events = gateways.events + excluded.events`).run({
        ...params,
        events: to - from + 1,
      });
      db.exec("DROP TABLE temp.gen; DROP TABLE temp.door_names;");
    })();
  } finally {
    db.pragma("journal_mode = WAL");
    db.close();
  }
}

function doorsBySpace(effects: readonly DoorEffect[]): Map<string, Map<number, number>> {
  const bySpace = new Map<string, Map<number, number>>();
  for (const effect of effects) {
    const doors = bySpace.get(effect.space) ?? new Map<number, number>();
    doors.set(effect.door, effect.sign);
    bySpace.set(effect.space, doors);
  }
  return bySpace;
}

/**
 * One space's count timeline for the events in `gen`, through the store's own timeline code in
 * one apply: they are later than every stored event and the store appends time-ordered batches by
 * filling its last chunk, so the chunks come out as the store's batch by batch inserts cut them;
 * then the head moves to the new count, as the store updates it after every batch that changed it.
 */
function appendTimeline(
  db: Database.Database,
  site: string,
  space: string,
  doors: Map<number, number>,
): void {
  const sign = `CASE g.door ${[...doors].map(([door, value]) => `WHEN ${door} THEN ${value}`).join(" ")} END`;
  const ops = db
    .prepare(`
      SELECT g.t AS t, @gateway AS gateway, g.seq AS seq, ${sign} * g.direction AS delta FROM gen g
      WHERE g.door IN (${[...doors.keys()].join(", ")}) ORDER BY g.seq`)
    .all({ gateway: CAMPUS_GATEWAY }) as TimelineOp[];
  if (ops.length === 0) return;
  const { after } = createCountTimeline(db).apply({ site, space, source: "flow" }, ops);
  db.prepare(`
    INSERT INTO count_heads (site, space, source, count, updated_at) VALUES (?, ?, 'flow', ?, ?)
    ON CONFLICT (site, space, source) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at`).run(
    site,
    space,
    after,
    RECEIVED_AT,
  );
}
