import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { newEventId } from "@lotwatch/protocol/ids.js";
import Database from "better-sqlite3";
import type { Logger } from "../common/logger.js";

/** Why a buffer was replaced by a fresh one; the `reason` of the `gateway.gap` event it leaves. */
export type LossReason = "buffer-corrupt" | "buffer-missing";

/** What the agent knows of a lost buffer's seqs. */
export interface SeqMark {
  /** The highest seq the buffer ever handed out. */
  maxSeq: number;
  /** The lowest seq still pending (not acked), or null when nothing was. */
  lowestPending: number | null;
}

export interface LostBuffer {
  reason: LossReason;
  /** Where the damaged file was moved, or null when there was none. */
  movedTo: string | null;
  /** What went wrong, for the log. */
  detail: string;
  /** Seqs that may have been pending in the lost file; null when none could have been. */
  lost: { fromSeq: number; toSeq: number } | null;
  /** The fresh buffer hands out seqs above this one. */
  seqFloor: number;
}

/**
 * When neither the file nor the mark tells the last seq, seqs restart from the clock (µs since
 * the epoch), far above any count a gateway reaches, so a seq is still never reused.
 */
const CLOCK_SEQ_FACTOR = 1000;
/** Below this the clock is certainly unset (the agent's clock floor, 2025-01-01). */
const CLOCK_FLOOR_MS = Date.parse("2025-01-01T00:00:00.000Z");

/** The small file beside the buffer that remembers its seqs at each open: `<path>.seq`. */
export function seqMarkPath(path: string): string {
  return `${path}.seq`;
}

export function readSeqMark(path: string): SeqMark | null {
  try {
    const mark = JSON.parse(readFileSync(seqMarkPath(path), "utf8")) as Partial<SeqMark>;
    if (typeof mark.maxSeq !== "number" || !Number.isSafeInteger(mark.maxSeq)) return null;
    return {
      maxSeq: mark.maxSeq,
      lowestPending: typeof mark.lowestPending === "number" ? mark.lowestPending : null,
    };
  } catch {
    return null;
  }
}

/** Room for two 16-digit seqs in JSON; the file keeps this size so rewrites never allocate. */
const SEQ_MARK_BYTES = 96;

/**
 * Rewritten in place at a fixed size: on a full disk a write that needs no new block still
 * succeeds, and never takes a block the buffer is about to reuse. A torn write reads as no mark.
 */
export function writeSeqMark(path: string, mark: SeqMark): void {
  const text = JSON.stringify(mark).padEnd(SEQ_MARK_BYTES, " ");
  const fd = openSync(seqMarkPath(path), existsSync(seqMarkPath(path)) ? "r+" : "w");
  try {
    writeSync(fd, text, 0, "utf8");
  } finally {
    closeSync(fd);
  }
}

/** The seqs of an open buffer: `sqlite_sequence` keeps the highest ever handed out. */
export function seqMarkOf(db: Database.Database): SeqMark {
  const maxSeq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'pending'").pluck().get() as
    | number
    | undefined;
  const lowest = db.prepare("SELECT min(seq) FROM pending").pluck().get() as number | null;
  return { maxSeq: maxSeq ?? 0, lowestPending: lowest };
}

/**
 * Reads what it can of a damaged file's seqs; null when even the highest seq cannot be read. A
 * pending table too damaged to read falls back on the mark's lowest pending seq, or 1.
 */
function salvageSeqMark(path: string): SeqMark | null {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const maxSeq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'pending'").pluck().get() as
      | number
      | undefined;
    if (maxSeq === undefined) return null;
    let lowestPending: number | null = null;
    try {
      lowestPending = db.prepare("SELECT min(seq) FROM pending").pluck().get() as number | null;
    } catch {
      // The table's pages are damaged: every seq the mark does not rule out may have been pending.
      lowestPending = readSeqMark(path)?.lowestPending ?? 1;
    }
    return { maxSeq, lowestPending };
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/**
 * Whether SQLite finds the file sound. `quick_check` reads every page but skips the index/table
 * cross-checks of `integrity_check`: it finds torn and overwritten pages at a fraction of the cost.
 */
export function checkIntegrity(db: Database.Database): string | null {
  const rows = db.pragma("quick_check(5)") as { quick_check: string }[];
  const problems = rows.map((row) => row.quick_check).filter((line) => line !== "ok");
  return problems.length === 0 ? null : problems.join("; ");
}

/** The SQLite errors that mean the file is damaged or not a database, not that the disk is full. */
export function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT_INDEX";
}

/**
 * Moves a damaged buffer (and its WAL and shared-memory files) aside as
 * `<path>.corrupt-<time>`, so it can be examined, and says which seqs it may have taken along.
 */
export function setAsideCorrupt(path: string, detail: string, now: Date): LostBuffer {
  const salvaged = salvageSeqMark(path);
  const movedTo = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, "-")}`;
  renameSync(path, movedTo);
  for (const suffix of ["-wal", "-shm"]) {
    if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
  }
  const loss = lossFrom(salvaged ?? readSeqMark(path), salvaged !== null, now);
  return { reason: "buffer-corrupt", movedTo, detail, ...loss };
}

/**
 * The buffer file is gone but its seq mark is not (the file was deleted), or its whole folder is
 * gone. A missing folder cannot be told from a first start, so it gets seqs from the clock: a
 * first start only has larger seqs, a deleted folder reuses none. Null for a first start in an
 * existing folder, or a file that is there.
 */
export function missingBuffer(path: string, folderExisted: boolean, now: Date): LostBuffer | null {
  if (existsSync(path)) return null;
  const mark = readSeqMark(path);
  if (mark === null && folderExisted) return null;
  return {
    reason: "buffer-missing",
    movedTo: null,
    detail:
      mark === null
        ? `${dirname(path)} did not exist: a first start, or the folder was deleted`
        : `${path} is gone, but ${seqMarkPath(path)} says it held seqs up to ${mark.maxSeq}`,
    ...lossFrom(mark, false, now),
  };
}

/**
 * An exact mark (salvaged from the file) bounds the loss: seqs from the lowest pending to the
 * highest. A mark from the last open is a lower bound only, since readings were accepted after it,
 * so the fresh buffer starts from the clock and the gap names what the mark knows.
 */
function lossFrom(mark: SeqMark | null, exact: boolean, now: Date): Pick<LostBuffer, "lost" | "seqFloor"> {
  const known = mark?.maxSeq ?? 0;
  const fromSeq = mark?.lowestPending ?? (mark === null ? 1 : known + 1);
  const clockFloor = now.getTime() >= CLOCK_FLOOR_MS ? now.getTime() * CLOCK_SEQ_FACTOR : 0;
  const seqFloor = exact ? known : Math.max(known + 1_000_000_000, clockFloor);
  return { lost: fromSeq <= known ? { fromSeq, toSeq: known } : null, seqFloor };
}

/**
 * The folder to keep the buffer in: its configured one when it exists or can be made and is
 * writable, else a folder under the OS temp dir, so readings are still taken (logged as an error:
 * a temp dir may be RAM and not survive a power cut).
 */
export function usableBufferPath(path: string, gatewayId: string, logger?: Logger): string {
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.R_OK | constants.W_OK);
    return path;
  } catch (error) {
    const fallback = join(tmpdir(), `lotwatch-buffer-${gatewayId}`, basename(path));
    mkdirSync(dirname(fallback), { recursive: true });
    logger?.error(
      { path, fallback, err: error },
      `buffer.path: ${folder} cannot be written (${(error as Error).message}); buffering in ${fallback} until it is fixed`,
    );
    return fallback;
  }
}

/** The `gateway.gap` row body for a lost buffer (the pending table's `body`: no seq, no bootId). */
export function lossGapBody(
  loss: LostBuffer,
  range: { fromSeq: number; toSeq: number },
  site: string,
  now: Date,
): { id: string; occurredAt: string; body: string } {
  const id = newEventId();
  const occurredAt = now.toISOString();
  const body = JSON.stringify({
    id,
    type: "gateway.gap",
    site,
    occurredAt,
    uptimeMs: Math.floor(performance.now()),
    fromSeq: range.fromSeq,
    toSeq: range.toSeq,
    reason: loss.reason,
  });
  return { id, occurredAt, body };
}
