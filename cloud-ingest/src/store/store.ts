import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type { GatewayStatus } from "@lotwatch/protocol/status.js";
import type { EnvelopeClock } from "../clock/anchor.js";
import type { CountReading } from "../counts/clamp.js";
import type { CountListener } from "../counts/count-feed.js";
import type { CountSource } from "../counts/count-sources.js";
import type { GapPage, GatewayGaps } from "../gaps/gap-report.js";
import type { SessionStore } from "../sessions/session-query.js";
import type { SummaryOutbox } from "../summaries/summary-outbox.js";

/** One thing the ingest refused, and why; kept so an operator can see what a gateway sent. */
export interface RejectionInput {
  gateway: string | null;
  topic: string;
  /** Index in the envelope's `events`, or null when the whole message was refused. */
  eventIndex: number | null;
  reason: string;
  /** At most 2 KB of what was received. */
  excerpt: string;
}

export interface Rejection extends RejectionInput {
  id: number;
  receivedAt: number;
}

export interface InsertResult {
  inserted: number;
  /** Events whose (gateway, seq) was already stored: changed nothing. */
  duplicates: number;
  /** Stored events whose site, lane, door or slot the topology does not know. */
  unknownSource: number;
  rejected: number;
}

export interface SpaceCountRow {
  space: string;
  /** The count the space answers with (topology: lanes/doors, bay sensors, or `countFrom`). */
  source: CountSource;
  reading: CountReading;
  /** When the count last changed (ms, store time), or null if it never did. */
  updatedAt: number | null;
}

/** A bay sensor's latest state; times are ms of count time, null before its first report. */
export interface SlotStateRow {
  slot: string;
  space: string;
  occupied: boolean | null;
  /** When the slot entered its current state. */
  since: number | null;
  reportedAt: number | null;
}

export interface GatewayRecord {
  id: string;
  site: string | null;
  online: boolean | null;
  /** Last time the ingest received anything from the gateway (ms). */
  lastSeen: number;
  /** `at` of the latest status message (ms), or null before the first. */
  statusAt: number | null;
  version: string | null;
  bootId: string | null;
  uptimeMs: number | null;
  backlog: number | null;
  oldestPendingAt: number | null;
  dropped: number | null;
  /**
   * The gateway's wall clock minus ingest time (ms) in the boot it sent from last, measured from
   * its envelopes (README "Clock"); null before the first envelope.
   */
  clockOffsetMs: number | null;
  /** When the latest envelope of that boot arrived (ms), or null. */
  clockMeasuredAt: number | null;
  events: number;
  duplicates: number;
  unknownSource: number;
  rejected: number;
}

export interface StoredEvent {
  gateway: string;
  receivedAt: number;
  /** The time the event counts and matches at: `occurredAt` corrected for its gateway's clock. */
  t: number;
  unknownSource: boolean;
  event: LotwatchEvent;
}

/** How many sessions of a site have a status (for the metrics). */
export interface SessionStatusCount {
  site: string;
  status: string;
  count: number;
}

export interface StoreTotals {
  events: number;
  duplicates: number;
  unknownSource: number;
  rejected: number;
}

/**
 * Durable state of the ingest. Every method is async so a PostgreSQL backend can implement the
 * same contract; a resolved write is committed.
 */
export interface Store extends SessionStore, SummaryOutbox {
  /**
   * Stores a gateway's events in one transaction, idempotently by (gateway, seq), applies their
   * count deltas, and records `rejected` (the same envelope's invalid events) with them. `envelope`,
   * the clocks of the envelope that carried them, measures the gateway's clock; event times are
   * corrected by it (README "Clock").
   */
  insertBatch(
    gateway: string,
    events: LotwatchEvent[],
    receivedAt: number,
    rejected?: RejectionInput[],
    envelope?: EnvelopeClock,
  ): Promise<InsertResult>;
  recordRejected(rejections: RejectionInput[], receivedAt: number): Promise<void>;
  /** Newest first. */
  listRejected(limit: number): Promise<Rejection[]>;
  recordGatewayStatus(status: GatewayStatus, receivedAt: number): Promise<void>;
  listGateways(): Promise<GatewayRecord[]>;
  getEvent(gateway: string, seq: number): Promise<StoredEvent | null>;
  /** The `gateway.gap` events a gateway sent, by their seq; null for a gateway never heard from. */
  listGaps(gateway: string, page: GapPage): Promise<GatewayGaps | null>;
  /** Current counts, from each space's source, of the site's spaces whose count ever changed. */
  currentCounts(site: string): Promise<SpaceCountRow[]>;
  /** The count from events that occurred at or before `atMs` (a seek, not a scan). */
  countAt(site: string, space: string, atMs: number): Promise<CountReading>;
  /** `countAt` for each of `times`, in the same order. */
  countsAt(site: string, space: string, times: readonly number[]): Promise<CountReading[]>;
  /** Every slot of the site's topology with its latest state. */
  listSlots(site: string): Promise<SlotStateRow[]>;
  /** Calls `listener` after each commit that changed current counts; returns the unsubscribe. */
  subscribeCounts(listener: CountListener): () => void;
  totals(): Promise<StoreTotals>;
  /** Sessions per site and status; empty before the first session (or the sessions schema). */
  sessionsByStatus(): Promise<SessionStatusCount[]>;
  close(): Promise<void>;
}
