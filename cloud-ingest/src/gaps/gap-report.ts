/**
 * What a gateway reported dropping: each `gateway.gap` event names a run of consecutive seqs its
 * buffer lost (cap by bytes or age, or a full disk), so nothing disappears silently.
 */
export interface GapRecord {
  /** The gap event's own seq. */
  seq: number;
  fromSeq: number;
  toSeq: number;
  /** `toSeq - fromSeq + 1`. */
  count: number;
  /** `buffer-cap-bytes`, `buffer-cap-age`, `disk-full`, or what a newer agent sends. */
  reason: string;
  /** When the gateway dropped them (ms, the gateway's clock). */
  occurredAt: number;
  /**
   * Of the named seqs, how many the ingest holds anyway: a row dropped while in flight may still
   * have arrived. The gap means "the gateway no longer has these", not "these never arrived".
   */
  arrived: number;
}

export interface GapPage {
  /** Only gap events whose own seq is above this. */
  after?: number;
  limit: number;
}

export interface GatewayGaps {
  gateway: string;
  /** Gap events of the page, by their own seq. */
  gaps: GapRecord[];
  /** Seqs named by all the gateway's gap events (not only this page's). */
  lost: number;
  /** The `after` of the next page, or null on the last. */
  nextAfter: number | null;
}

/** The number of seqs a gap event names. */
export function gapSize(gap: { fromSeq: number; toSeq: number }): number {
  return gap.toSeq - gap.fromSeq + 1;
}
