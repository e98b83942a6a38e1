import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type Database from "better-sqlite3";
import { type CountReading, clampCount, freeOf, type NegativeCountHook } from "../../counts/clamp.js";
import type { CountDelta, SlotReading } from "../../counts/count-deltas.js";
import { type CountChange, type CountListener, createCountFeed } from "../../counts/count-feed.js";
import { type CountSource, countSourcesOf, type TimelineSource } from "../../counts/count-sources.js";
import type { Logger } from "../../logging/create-logger.js";
import type { SiteIndex, TopologyIndex } from "../../topology/topology-index.js";
import type { SlotStateRow, SpaceCountRow } from "../store.js";
import {
  createCountTimeline,
  type TimelineKey,
  type TimelineOp,
  type TimelineStream,
} from "./count-timeline.js";
import { createSlotStates } from "./slot-states.js";

export interface SqliteCountsOptions {
  db: Database.Database;
  topology: TopologyIndex;
  logger: Logger;
  onNegativeCount?: NegativeCountHook | undefined;
}

/** What an event does to counts (see `countDeltasFor`). */
export interface CountEffect {
  deltas: CountDelta[];
  slot?: SlotReading | undefined;
}

/** What one transaction's new events do to counts. */
export interface CountBatch {
  /** A newly stored event with a known source, at its count time `t`: its flow deltas and slot state. */
  add(gateway: string, event: LotwatchEvent, effect: CountEffect, t: number): void;
  /** A stored event whose count time changed (its gateway's clock anchor improved). */
  move(gateway: string, event: LotwatchEvent, effect: CountEffect, from: number, to: number): void;
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

interface HeadRow {
  space: string;
  source: TimelineSource;
  count: number;
  updated_at: number;
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
  const sourceOf = (site: SiteIndex | undefined, space: string): CountSource =>
    site === undefined ? "none" : (countSourcesOf(site).get(space) ?? "none");

  const batch = (receivedAt: number): CountBatch => {
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
    const addSlot = (site: string, key: TimelineKey, reading: SlotReading) => {
      const { previous, next } = slotStates.insert(site, reading.slot, key, reading.occupied);
      // A state is not a delta: the new row carries the step from the previous state, and the
      // next state's step now starts from this one instead. Zero steps write no row.
      pushStep(site, reading.spaces, key, next, (reading.occupied ? 1 : 0) - (previous ? 1 : 0));
    };
    const removeSlot = (site: string, key: TimelineKey, reading: SlotReading) => {
      const { previous, next } = slotStates.remove(site, reading.slot, key);
      // The inverse of addSlot: the state's step goes, and the next state steps from the previous.
      pushStep(site, reading.spaces, key, next, (previous ? 1 : 0) - (reading.occupied ? 1 : 0));
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
    return {
      add(gateway, event, effect, t) {
        const key = { t, gateway, seq: event.seq };
        for (const { space, delta } of effect.deltas) push(event.site, space, "flow", key, delta);
        if (effect.slot !== undefined) addSlot(event.site, key, effect.slot);
      },
      move(gateway, event, effect, from, to) {
        const before = { t: from, gateway, seq: event.seq };
        const after = { t: to, gateway, seq: event.seq };
        for (const { space, delta } of effect.deltas) {
          push(event.site, space, "flow", before, -delta);
          push(event.site, space, "flow", after, delta);
        }
        if (effect.slot !== undefined) {
          removeSlot(event.site, before, effect.slot);
          addSlot(event.site, after, effect.slot);
        }
      },
      finish() {
        const changes: CountChange[] = [];
        for (const { stream, ops } of streams.values()) {
          const { before, after } = timeline.apply(stream, ops);
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
    current(siteId) {
      const site = topology.sites.get(siteId);
      return (heads.all(siteId) as HeadRow[])
        .filter((row) => sourceOf(site, row.space) === row.source)
        .map((row) => ({
          space: row.space,
          source: row.source,
          reading: clampCount(row.count),
          updatedAt: row.updated_at,
        }));
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
