import type { SeqRange } from "./types.js";

/**
 * Runs of consecutive integers in ascending seqs: [1,2,3,5,6,9] → 1-3, 5-6, 9-9. A gap event names
 * one run, so a seq that was not dropped (a gap row, an acked row) always splits the report.
 */
export function contiguousRanges(seqs: readonly number[]): SeqRange[] {
  const ranges: SeqRange[] = [];
  let current: SeqRange | null = null;
  for (const seq of seqs) {
    if (current !== null && seq === current.toSeq + 1) {
      current.toSeq = seq;
      continue;
    }
    current = { fromSeq: seq, toSeq: seq };
    ranges.push(current);
  }
  return ranges;
}
