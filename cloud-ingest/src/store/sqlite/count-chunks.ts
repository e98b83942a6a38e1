/**
 * Most entries a chunk holds. Chosen by the pages a batch writes on the bench mix (100k events
 * in 500-event batches, WAL frames): 256 wrote 4,453, against 4,935 to 9,089 for 64 to 1,024
 * (the row-per-event timeline: 13,414), and CPU time hardly differed (issue 5).
 */
export const CHUNK_ENTRIES = 256;

/** A count step: at time `t` the count moves by `delta`. */
export interface TimelineEntry {
  t: number;
  delta: number;
}

/**
 * Entries in time order as (t, delta) pairs, one after another: ms times and counts are exact in
 * a double, and the array is the row's BLOB as it is, with no per-entry objects (issue 5).
 */
export type Entries = Float64Array;

/** A run of a stream's entries: `base` is the count before them, `start` <= the first one's `t`. */
export interface Chunk {
  start: number;
  base: number;
  entries: Entries;
}

export const NO_ENTRIES: Entries = new Float64Array(0);

export function entryCount(entries: Entries): number {
  return entries.length / 2;
}

export function encodeEntries(entries: Entries): Buffer {
  return Buffer.from(entries.buffer, entries.byteOffset, entries.byteLength);
}

/** The entries of a BLOB, copied only when SQLite's buffer is not 8-byte aligned. */
export function decodeEntries(blob: Buffer): Entries {
  if (blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, blob.byteLength / 8);
  return new Float64Array(new Uint8Array(blob).buffer);
}

/** The count at `atMs` given the chunk holding it: base plus its entries at or before `atMs`. */
export function countIn(base: number, entries: Entries, atMs: number): number {
  let count = base;
  for (let i = 0; i < entries.length && (entries[i] as number) <= atMs; i += 2)
    count += entries[i + 1] as number;
  return count;
}

export function sumOf(entries: Entries): number {
  let sum = 0;
  for (let i = 1; i < entries.length; i += 2) sum += entries[i] as number;
  return sum;
}

/** Entries of ops in any order: sorted by time, those at the same time summed, zero sums dropped. */
export function normalize(ops: readonly TimelineEntry[]): Entries {
  const sorted = [...ops].sort((a, b) => a.t - b.t);
  const entries = new Float64Array(sorted.length * 2);
  let n = 0;
  for (const { t, delta } of sorted) {
    if (n > 0 && entries[n - 2] === t) {
      entries[n - 1] = (entries[n - 1] as number) + delta;
    } else {
      if (n > 0 && entries[n - 1] === 0) n -= 2;
      entries[n] = t;
      entries[n + 1] = delta;
      n += 2;
    }
  }
  if (n > 0 && entries[n - 1] === 0) n -= 2;
  return entries.subarray(0, n);
}

/** Merges two normalized runs into one (same-time entries summed, zero sums dropped). */
export function mergeEntries(a: Entries, b: Entries): Entries {
  if (b.length === 0) return a;
  const merged = new Float64Array(a.length + b.length);
  // The common case: a batch lands after everything stored.
  if (a.length === 0 || (a[a.length - 2] as number) < (b[0] as number)) {
    merged.set(a);
    merged.set(b, a.length);
    return merged;
  }
  let i = 0;
  let j = 0;
  let n = 0;
  const put = (t: number, delta: number) => {
    merged[n++] = t;
    merged[n++] = delta;
  };
  while (i < a.length && j < b.length) {
    const ta = a[i] as number;
    const tb = b[j] as number;
    if (ta < tb) {
      put(ta, a[i + 1] as number);
      i += 2;
    } else if (tb < ta) {
      put(tb, b[j + 1] as number);
      j += 2;
    } else {
      const delta = (a[i + 1] as number) + (b[j + 1] as number);
      if (delta !== 0) put(ta, delta);
      i += 2;
      j += 2;
    }
  }
  merged.set(a.subarray(i), n);
  n += a.length - i;
  merged.set(b.subarray(j), n);
  n += b.length - j;
  return merged.subarray(0, n);
}

/**
 * Cuts entries into chunks of at most `size`. The stream's last chunk is filled up before the
 * next starts, since time-ordered appends never touch a full one again; a chunk in the middle is
 * split evenly, so later late entries have room on both sides.
 */
export function cutChunks(
  start: number,
  base: number,
  entries: Entries,
  isLast: boolean,
  size = CHUNK_ENTRIES,
): Chunk[] {
  const total = entryCount(entries);
  const pieces = Math.ceil(total / size);
  const chunks: Chunk[] = [];
  let from = 0;
  let count = base;
  for (let k = 0; k < pieces; k++) {
    const to = isLast ? Math.min(total, from + size) : Math.round(((k + 1) * total) / pieces);
    const slice = entries.subarray(2 * from, 2 * to);
    const first = slice[0] as number;
    chunks.push({ start: k === 0 ? Math.min(start, first) : first, base: count, entries: slice });
    count += sumOf(slice);
    from = to;
  }
  return chunks;
}
