import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type Database from "better-sqlite3";
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
import type { SlotStateRow, SpaceCountRow } from "../store.js";
import { createCountTimeline, type TimelineKey } from "./count-timeline.js";
import { createSlotStates } from "./slot-states.js";

export interface SqliteCountsOptions {
  db: Database.Database;
  topology: TopologyIndex;
  logger: Logger;
  onNegativeCount?: NegativeCountHook | undefined;
}

/** What one transaction's new events do to counts. */
export interface CountBatch {
  /**
   * A newly stored event with a known source, at its count time `t`: its flow deltas and slot
   * state. Not a vehicle read: `laneRead` counts those.
   */
  add(gateway: string, event: LotwatchEvent, effect: CountEffect, t: number): void;
  /** A stored event whose count time changed (its gateway's clock anchor improved); not a vehicle read. */
  move(gateway: string, event: LotwatchEvent, effect: CountEffect, from: number, to: number): void;
  /**
   * A vehicle read's lane deltas at its key, or taken back (`sign` -1). The session table decides
   * which reads count: a repeated read does not (sessions/counted-reads.ts).
   */
  laneRead(site: string, key: TimelineKey, effect: CountEffect, sign: 1 | -1): void;
  /** Writes the rows (inside the caller's transaction); returns the changes to publish after commit. */
  finish(): CountChange[];
}

/** The counting half of the SQLite store: timelines, slot states, current counts, the change feed. */
export interface SqliteCounts {
  batch(receivedAt: number): CountBatch;
  publish(changes: readonly CountChange[]): void;
  subscribe(listener: CountListener): () => void;
  current(site: string): SpaceCountRow[];
  countsAt(site: string, space: string, times: readonly number[]): CountReading[];
  slots(site: string): SlotStateRow[];
}

export function createSqliteCounts(options: SqliteCountsOptions): SqliteCounts {
  const { db, topology, logger } = options;
  const timeline = createCountTimeline(db);
  const slotStates = createSlotStates(db);
  const feed = createCountFeed((error) => logger.error({ err: error }, "a count listener failed"));
  const setHead = db.prepare(`
    INSERT INTO count_heads (site, space, source, count, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (site, space, source) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at`);
  const heads = db.prepare("SELECT space, source, count, updated_at FROM count_heads WHERE site = ?");
  const reportNegative = createNegativeReporter(logger, options.onNegativeCount);

  const batch = (receivedAt: number): CountBatch => {
    const ops = createOpCollector();
    const addSlot = (site: string, key: TimelineKey, reading: SlotReading) => {
      const { previous, next } = slotStates.insert(site, reading.slot, key, reading.occupied);
      ops.slotStep(site, reading.spaces, key, next, (reading.occupied ? 1 : 0) - (previous ? 1 : 0));
    };
    const removeSlot = (site: string, key: TimelineKey, reading: SlotReading) => {
      const { previous, next } = slotStates.remove(site, reading.slot, key);
      // The inverse of addSlot: the state's step goes, and the next state steps from the previous.
      ops.slotStep(site, reading.spaces, key, next, (previous ? 1 : 0) - (reading.occupied ? 1 : 0));
    };
    return {
      add(gateway, event, effect, t) {
        if (isVehicleRead(event)) return;
        const key = { t, gateway, seq: event.seq };
        ops.flows(event.site, effect, key, 1);
        if (effect.slot !== undefined) addSlot(event.site, key, effect.slot);
      },
      move(gateway, event, effect, from, to) {
        if (isVehicleRead(event)) return;
        const before = { t: from, gateway, seq: event.seq };
        const after = { t: to, gateway, seq: event.seq };
        ops.flows(event.site, effect, before, -1);
        ops.flows(event.site, effect, after, 1);
        if (effect.slot !== undefined) {
          removeSlot(event.site, before, effect.slot);
          addSlot(event.site, after, effect.slot);
        }
      },
      laneRead(site, key, effect, sign) {
        ops.flows(site, effect, key, sign);
      },
      finish() {
        const changes: CountChange[] = [];
        for (const { stream, ops: streamOps } of ops.streams()) {
          const { before, after } = timeline.apply(stream, streamOps);
          if (after === before) continue;
          setHead.run(stream.site, stream.space, stream.source, after, receivedAt);
          if (after < 0 && after < before) reportNegative(stream, after);
          const site = topology.sites.get(stream.site);
          if (sourceOf(site, stream.space) === stream.source) {
            changes.push(changeOf(site, stream, after, receivedAt));
          }
        }
        return changes;
      },
    };
  };

  return {
    batch,
    publish: (changes) => feed.publish(changes),
    subscribe: (listener) => feed.subscribe(listener),
    current(siteId) {
      const site = topology.sites.get(siteId);
      return spaceCounts(site, heads.all(siteId) as HeadRow[]);
    },
    countsAt(siteId, space, times) {
      const source = sourceOf(topology.sites.get(siteId), space);
      if (source === "none") return times.map(() => clampCount(0));
      const stream = { site: siteId, space, source };
      return times.map((t) => clampCount(timeline.cumAt(stream, t)));
    },
    slots(siteId) {
      const site = topology.sites.get(siteId);
      if (site === undefined) return [];
      return [...site.slots].map(([slot, { space }]) => {
        const current = slotStates.current(siteId, slot);
        return {
          slot,
          space,
          occupied: current?.occupied ?? null,
          since: current?.since ?? null,
          reportedAt: current?.reportedAt ?? null,
        };
      });
    },
  };
}
