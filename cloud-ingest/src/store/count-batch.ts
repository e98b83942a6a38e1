import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { clampCount, freeOf, type NegativeCountHook } from "../counts/clamp.js";
import { type CountDelta, laneReadCounting, type SlotReading } from "../counts/count-deltas.js";
import type { CountChange } from "../counts/count-feed.js";
import { type CountSource, countSourcesOf, type TimelineSource } from "../counts/count-sources.js";
import type { Logger } from "../logging/create-logger.js";
import { countedReadChanges } from "../sessions/counted-reads.js";
import type { VehicleRead } from "../sessions/session.js";
import type { SiteIndex } from "../topology/topology-index.js";
import type { TimelineKey, TimelineOp, TimelineStream } from "./sqlite/count-timeline.js";
import type { SpaceCountRow } from "./store.js";

/** What an event does to counts (see `countDeltasFor`). */
export interface CountEffect {
  deltas: CountDelta[];
  slot?: SlotReading | undefined;
}

/** One stream's timeline ops of a batch. */
export interface StreamOps {
  stream: TimelineStream;
  ops: TimelineOp[];
}

/** Gathers a batch's timeline ops per stream, as both stores do before writing them. */
export interface OpCollector {
  /** The event's flow deltas at `key`; `sign` -1 takes them back (the event moved away from there). */
  flows(site: string, effect: CountEffect, key: TimelineKey, sign: 1 | -1): void;
  /**
   * A bay state's step at `key` in each of `spaces`. A state is not a delta: the state's row carries
   * the step from the previous state, and the next state (at `next`) now steps from this one.
   */
  slotStep(
    site: string,
    spaces: readonly string[],
    key: TimelineKey,
    next: TimelineKey | null,
    step: number,
  ): void;
  streams(): StreamOps[];
}

export function createOpCollector(): OpCollector {
  const streams = new Map<string, StreamOps>();
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
  return {
    flows(site, effect, key, sign) {
      for (const { space, delta } of effect.deltas) push(site, space, "flow", key, sign * delta);
    },
    slotStep(site, spaces, key, next, step) {
      if (step === 0) return;
      for (const space of spaces) {
        push(site, space, "slots", key, step);
        if (next !== null) push(site, space, "slots", next, -step);
      }
    },
    streams: () => [...streams.values()],
  };
}

/** Vehicle reads are counted by the session tables, which know which are repeats (`CountBatch.laneRead`). */
export function isVehicleRead(event: LotwatchEvent): boolean {
  return event.type === "vehicle.entry" || event.type === "vehicle.exit";
}

/** Where a batch's lane reads go: `CountBatch.laneRead` of either store. */
export interface LaneReadCounting {
  laneRead(site: string, key: TimelineKey, effect: CountEffect, sign: 1 | -1): void;
}

/**
 * Counts what a batch changed in a plate group's reads (both stores' session tables): reads that
 * count no more are taken back, reads that count now are added (sessions/counted-reads.ts).
 */
export function countLaneReads(
  site: SiteIndex | undefined,
  siteId: string,
  change: { before: readonly VehicleRead[]; after: readonly VehicleRead[]; debounceMs: number },
  counting: LaneReadCounting,
): void {
  const { counted, uncounted } = countedReadChanges(change.before, change.after, change.debounceMs);
  const apply = (read: VehicleRead, sign: 1 | -1) => {
    const effect = laneReadCounting(site, read.kind, read.lane);
    if (effect.known)
      counting.laneRead(siteId, { t: read.at, gateway: read.gateway, seq: read.seq }, effect, sign);
  };
  for (const read of uncounted) apply(read, -1);
  for (const read of counted) apply(read, 1);
}

/** Where a space's count comes from under its site's topology ("none": the site or space is unknown). */
export function sourceOf(site: SiteIndex | undefined, space: string): CountSource {
  return site === undefined ? "none" : (countSourcesOf(site).get(space) ?? "none");
}

/** A count_heads row, as both stores read it. */
export interface HeadRow {
  space: string;
  source: TimelineSource;
  count: number;
  updated_at: number;
}

/** The current counts of a site's spaces: the heads of the streams each space counts from. */
export function spaceCounts(site: SiteIndex | undefined, heads: readonly HeadRow[]): SpaceCountRow[] {
  return heads
    .filter((row) => sourceOf(site, row.space) === row.source)
    .map((row) => ({
      space: row.space,
      source: row.source,
      reading: clampCount(row.count),
      updatedAt: row.updated_at,
    }));
}

/** A committed stream's new count, as the change feed publishes it. */
export function changeOf(
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

/** Logs a count that went (further) below zero and tells the store's hook. */
export function createNegativeReporter(
  logger: Logger,
  hook: NegativeCountHook | undefined,
): (stream: TimelineStream, rawCount: number) => void {
  return (stream, rawCount) => {
    logger.warn(
      { site: stream.site, space: stream.space, rawCount },
      "count below zero (answers clamp it to 0): more exits than entries, an entry read was probably missed",
    );
    hook?.({ site: stream.site, space: stream.space, rawCount });
  };
}
