import { expect } from "vitest";
import { allGaps } from "../../faults/test-support/gap-coverage.js";
import type { IngestService } from "../../faults/test-support/services.js";
import { storedSeqList } from "../../faults/test-support/stores.js";

/** How the seqs 1..committed of one gateway ended up at the ingest. */
export interface SeqAccounting {
  /** Distinct seqs stored. */
  stored: number;
  /** Rows stored (more than `stored` would mean a seq stored twice). */
  storedRows: number;
  /** Seqs named by gap events: the ingest's `lost`. */
  lost: number;
  /** Seqs named by a gap event that arrived anyway (in flight when the buffer was lost). */
  arrived: number;
  /** Distinct gap reasons, sorted. */
  gapReasons: string[];
}

/**
 * The coordinator's check: every seq the agent handed out (1..committed) is stored or named by a
 * gap event, none is stored twice, nothing outside that range is stored, and the ingest's `lost`
 * is exactly the seqs the gap events name. Unlike `expectGapsCoverExactly`, a gap may name seqs
 * that also arrived (a buffer lost with batches in flight).
 */
export async function expectEverySeqAccountedFor(
  ingest: IngestService,
  gateway: string,
  committed: number,
): Promise<SeqAccounting> {
  const storedList = storedSeqList(ingest.dbPath, gateway);
  const stored = new Set(storedList);
  const { lost, gaps } = await allGaps(ingest, gateway);
  const inGap = new Set<number>();
  for (const gap of gaps) for (let seq = gap.fromSeq; seq <= gap.toSeq; seq++) inGap.add(seq);
  let unaccounted = 0;
  let firstUnaccounted: number | null = null;
  for (let seq = 1; seq <= committed; seq++) {
    if (stored.has(seq) || inGap.has(seq)) continue;
    unaccounted++;
    firstUnaccounted ??= seq;
  }
  const outside = storedList.filter((seq) => seq < 1 || seq > committed).length;
  let arrived = 0;
  for (const seq of inGap) if (stored.has(seq)) arrived++;
  expect({
    unaccounted,
    firstUnaccounted,
    storedTwice: storedList.length - stored.size,
    outside,
    lost,
  }).toEqual({
    unaccounted: 0,
    firstUnaccounted: null,
    storedTwice: 0,
    outside: 0,
    lost: inGap.size,
  });
  return {
    stored: stored.size,
    storedRows: storedList.length,
    lost,
    arrived,
    gapReasons: [...new Set(gaps.map((gap) => gap.reason))].sort(),
  };
}
