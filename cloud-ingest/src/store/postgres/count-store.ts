import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { type CountReading, clampCount, freeOf, type NegativeCountHook } from "../../counts/clamp.js";
import type { SlotReading } from "../../counts/count-deltas.js";
import { type CountChange, type CountListener, createCountFeed } from "../../counts/count-feed.js";
import { type CountSource, countSourcesOf, type TimelineSource } from "../../counts/count-sources.js";
import type { Logger } from "../../logging/create-logger.js";
import type { SiteIndex, TopologyIndex } from "../../topology/topology-index.js";
import type { CountEffect } from "../sqlite/count-store.js";
import type { TimelineChange, TimelineKey, TimelineOp, TimelineStream } from "../sqlite/count-timeline.js";
import type { SlotStateRow, SpaceCountRow } from "../store.js";
import { createPgCountTimeline } from "./count-timeline.js";
import { createPgSlotStates } from "./slot-states.js";
import { query, run, type Sql } from "./sql.js";

export interface PgCountsOptions {
  topology: TopologyIndex;
  logger: Logger;
  onNegativeCount?: NegativeCountHook | undefined;
}

/** One transaction's count work, as in the SQLite store's CountBatch, but awaited. */
export interface PgCountBatch {
  add(gateway: string, event: LotwatchEvent, effect: CountEffect, t: number): Promise<void>;
  move(gateway: string, event: LotwatchEvent, effect: CountEffect, from: number, to: number): Promise<void>;
  finish(): Promise<CountChange[]>;
}

export interface PgCounts {
  batch(sql: Sql, receivedAt: number): PgCountBatch;
  publish(changes: readonly CountChange[]): void;
  subscribe(listener: CountListener): () => void;
  current(sql: Sql, site: string): Promise<SpaceCountRow[]>;
  countsAt(sql: Sql, site: string, space: string, times: readonly number[]): Promise<CountReading[]>;
  slots(sql: Sql, site: string): Promise<SlotStateRow[]>;
}

const SET_HEADS = `
  INSERT INTO count_heads (site, space, source, count, updated_at)
  SELECT site, space, source, count, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
    AS h(site, space, source, count)
  ON CONFLICT (site, space, source) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at`;
const HEADS = "SELECT space, source, count, updated_at FROM count_heads WHERE site = $1";

interface HeadRow {
  space: string;
  source: TimelineSource;
  count: number;
  updated_at: number;
}

/** The counting half of the PostgreSQL store; the same rows as the SQLite store's count-store.ts. */
export function createPgCounts(options: PgCountsOptions): PgCounts {
  const { topology, logger } = options;
  const timeline = createPgCountTimeline();
  const slotStates = createPgSlotStates();
  const feed = createCountFeed((error) => logger.error({ err: error }, "a count listener failed"));
  const sourceOf = (site: SiteIndex | undefined, space: string): CountSource =>
    site === undefined ? "none" : (countSourcesOf(site).get(space) ?? "none");

  const batch = (sql: Sql, receivedAt: number): PgCountBatch => {
    const streams = new Map<string, { stream: TimelineStream; ops: TimelineOp[] }>();
    const push = (site: string, space: string, source: TimelineSource, key: TimelineKey, delta: number) => {
      if (delta === 0) return;
      const id = `${site}\u0000${space}\u0000${source}`;
      let entry = streams.get(id);
      if (entry === undefined) {
        entry = { stream: { site, space, source }, ops: [] };
        streams.set(id, entry);
      }
      entry.ops.push({ t: key.t, gateway: key.gateway, seq: key.seq, delta });
    };
    const pushStep = (
      site: string,
      spaces: readonly string[],
      key: TimelineKey,
      next: TimelineKey | null,
      step: number,
    ) => {
      if (step === 0) return;
      for (const space of spaces) {
        push(site, space, "slots", key, step);
        if (next !== null) push(site, space, "slots", next, -step);
      }
    };
    // A state is not a delta: see the SQLite store's addSlot/removeSlot.
    const addSlot = async (site: string, key: TimelineKey, reading: SlotReading) => {
      const { previous, next } = await slotStates.insert(sql, site, reading.slot, key, reading.occupied);
      pushStep(site, reading.spaces, key, next, (reading.occupied ? 1 : 0) - (previous ? 1 : 0));
    };
    const removeSlot = async (site: string, key: TimelineKey, reading: SlotReading) => {
      const { previous, next } = await slotStates.remove(sql, site, reading.slot, key);
      pushStep(site, reading.spaces, key, next, (previous ? 1 : 0) - (reading.occupied ? 1 : 0));
    };
    return {
      async add(gateway, event, effect, t) {
        const key = { t, gateway, seq: event.seq };
        for (const { space, delta } of effect.deltas) push(event.site, space, "flow", key, delta);
        if (effect.slot !== undefined) await addSlot(event.site, key, effect.slot);
      },
      async move(gateway, event, effect, from, to) {
        const before = { t: from, gateway, seq: event.seq };
        const after = { t: to, gateway, seq: event.seq };
        for (const { space, delta } of effect.deltas) {
          push(event.site, space, "flow", before, -delta);
          push(event.site, space, "flow", after, delta);
        }
        if (effect.slot !== undefined) {
          await removeSlot(event.site, before, effect.slot);
          await addSlot(event.site, after, effect.slot);
        }
      },
      async finish() {
        const entries = [...streams.values()];
        const results = await timeline.apply(sql, entries);
        const changes: CountChange[] = [];
        const heads: [string[], string[], string[], number[]] = [[], [], [], []];
        for (const [i, { stream }] of entries.entries()) {
          const { before, after } = results[i] as TimelineChange;
          if (after === before) continue;
          heads[0].push(stream.site);
          heads[1].push(stream.space);
          heads[2].push(stream.source);
          heads[3].push(after);
          if (after < 0 && after < before) reportNegative(stream, after);
          const site = topology.sites.get(stream.site);
          if (sourceOf(site, stream.space) === stream.source) {
            changes.push(changeOf(site, stream, after, receivedAt));
          }
        }
        if (heads[0].length > 0) await run(sql, SET_HEADS, [...heads, receivedAt]);
        return changes;
      },
    };
  };

  const reportNegative = (stream: TimelineStream, rawCount: number) => {
    logger.warn(
      { site: stream.site, space: stream.space, rawCount },
      "count below zero (answers clamp it to 0): more exits than entries, an entry read was probably missed",
    );
    options.onNegativeCount?.({ site: stream.site, space: stream.space, rawCount });
  };

  return {
    batch,
    publish: (changes) => feed.publish(changes),
    subscribe: (listener) => feed.subscribe(listener),
    async current(sql, siteId) {
      const site = topology.sites.get(siteId);
      return (await query<HeadRow>(sql, HEADS, [siteId]))
        .filter((row) => sourceOf(site, row.space) === row.source)
        .map((row) => ({
          space: row.space,
          source: row.source,
          reading: clampCount(row.count),
          updatedAt: row.updated_at,
        }));
    },
    async countsAt(sql, siteId, space, times) {
      const source = sourceOf(topology.sites.get(siteId), space);
      if (source === "none") return times.map(() => clampCount(0));
      const stream = { site: siteId, space, source };
      const readings: CountReading[] = [];
      for (const t of times) readings.push(clampCount(await timeline.cumAt(sql, stream, t)));
      return readings;
    },
    async slots(sql, siteId) {
      const site = topology.sites.get(siteId);
      if (site === undefined) return [];
      const rows: SlotStateRow[] = [];
      for (const [slot, { space }] of site.slots) {
        const current = await slotStates.current(sql, siteId, slot);
        rows.push({
          slot,
          space,
          occupied: current?.occupied ?? null,
          since: current?.since ?? null,
          reportedAt: current?.reportedAt ?? null,
        });
      }
      return rows;
    },
  };
}

function changeOf(
  site: SiteIndex | undefined,
  stream: TimelineStream,
  rawCount: number,
  at: number,
): CountChange {
  const reading = clampCount(rawCount);
  const capacity = site?.spaces.get(stream.space)?.capacity ?? null;
  return {
    site: stream.site,
    space: stream.space,
    source: stream.source,
    ...reading,
    capacity,
    free: freeOf(capacity, reading.count),
    at: new Date(at).toISOString(),
  };
}
