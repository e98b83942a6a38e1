import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { type CountReading, clampCount, type NegativeCountHook } from "../../counts/clamp.js";
import type { SlotReading } from "../../counts/count-deltas.js";
import { type CountChange, type CountListener, createCountFeed } from "../../counts/count-feed.js";
import type { Logger } from "../../logging/create-logger.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import {
  type CountEffect,
  changeOf,
  createNegativeReporter,
  createOpCollector,
  type HeadRow,
  isVehicleRead,
  sourceOf,
  spaceCounts,
} from "../count-batch.js";
import type { TimelineChange, TimelineKey } from "../sqlite/count-timeline.js";
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
  /** As sqlite/count-store.ts: not vehicle reads, which `laneRead` counts. */
  add(gateway: string, event: LotwatchEvent, effect: CountEffect, t: number): Promise<void>;
  move(gateway: string, event: LotwatchEvent, effect: CountEffect, from: number, to: number): Promise<void>;
  laneRead(site: string, key: TimelineKey, effect: CountEffect, sign: 1 | -1): void;
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

/** The counting half of the PostgreSQL store; the same rows as the SQLite store's count-store.ts. */
export function createPgCounts(options: PgCountsOptions): PgCounts {
  const { topology, logger } = options;
  const timeline = createPgCountTimeline();
  const slotStates = createPgSlotStates();
  const feed = createCountFeed((error) => logger.error({ err: error }, "a count listener failed"));
  const reportNegative = createNegativeReporter(logger, options.onNegativeCount);

  const batch = (sql: Sql, receivedAt: number): PgCountBatch => {
    const ops = createOpCollector();
    // A state is not a delta: see OpCollector.slotStep.
    const addSlot = async (site: string, key: TimelineKey, reading: SlotReading) => {
      const { previous, next } = await slotStates.insert(sql, site, reading.slot, key, reading.occupied);
      ops.slotStep(site, reading.spaces, key, next, (reading.occupied ? 1 : 0) - (previous ? 1 : 0));
    };
    const removeSlot = async (site: string, key: TimelineKey, reading: SlotReading) => {
      const { previous, next } = await slotStates.remove(sql, site, reading.slot, key);
      ops.slotStep(site, reading.spaces, key, next, (previous ? 1 : 0) - (reading.occupied ? 1 : 0));
    };
    return {
      async add(gateway, event, effect, t) {
        if (isVehicleRead(event)) return;
        const key = { t, gateway, seq: event.seq };
        ops.flows(event.site, effect, key, 1);
        if (effect.slot !== undefined) await addSlot(event.site, key, effect.slot);
      },
      async move(gateway, event, effect, from, to) {
        if (isVehicleRead(event)) return;
        const before = { t: from, gateway, seq: event.seq };
        const after = { t: to, gateway, seq: event.seq };
        ops.flows(event.site, effect, before, -1);
        ops.flows(event.site, effect, after, 1);
        if (effect.slot !== undefined) {
          await removeSlot(event.site, before, effect.slot);
          await addSlot(event.site, after, effect.slot);
        }
      },
      laneRead(site, key, effect, sign) {
        ops.flows(site, effect, key, sign);
      },
      async finish() {
        const entries = ops.streams();
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

  return {
    batch,
    publish: (changes) => feed.publish(changes),
    subscribe: (listener) => feed.subscribe(listener),
    async current(sql, siteId) {
      const site = topology.sites.get(siteId);
      return spaceCounts(site, await query<HeadRow>(sql, HEADS, [siteId]));
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
