import type { SummaryRecord } from "./summary-record.js";

/**
 * The outbox part of the Store contract. Records are appended in the transaction that changed their
 * session; each sink (`file`, `webhook`) reads past its own cursor and moves it after delivery.
 */
export interface SummaryOutbox {
  /** Up to `limit` records after the sink's cursor, oldest first. */
  readOutbox(sink: string, limit: number): Promise<SummaryRecord[]>;
  /** Moves the sink's cursor to `throughRecordId` (never backwards). */
  markDelivered(sink: string, throughRecordId: number): Promise<void>;
  /**
   * Deletes up to `limit` of the oldest records recorded before `recordedBefore` that every one of
   * `sinks` has delivered (with no sinks: that nobody waits for); returns how many it deleted.
   * Record ids are never reused, so the cursors stay valid.
   */
  pruneOutbox(sinks: readonly string[], recordedBefore: number, limit: number): Promise<number>;
}
