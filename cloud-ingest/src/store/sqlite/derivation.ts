import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type Database from "better-sqlite3";
import { countDeltasFor } from "../../counts/count-deltas.js";
import type { CountChange } from "../../counts/count-feed.js";
import type { TimedEvent } from "../../counts/count-time.js";
import type { Logger } from "../../logging/create-logger.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import type { CountEffect } from "../count-batch.js";
import type { CountBatch, SqliteCounts } from "./count-store.js";
import { eventOf, type StoredEntry } from "./event-batches.js";
import type { SessionTable } from "./session-table.js";

/** A batch's newly stored events, as its counts and sessions need them. */
export interface DerivationJob {
  gateway: string;
  receivedAt: number;
  /** Events of a known source, with what they do to counts and their count time. */
  counted: Array<[event: LotwatchEvent, effect: CountEffect, t: number]>;
  timed: TimedEvent[];
  /** The batch's count changes, published once it is on disk; derived ones are added here. */
  changes: CountChange[];
}

export interface Derivation {
  /** A batch whose events the current transaction stored: derived after it commits. */
  queue(job: DerivationJob): void;
  /**
   * Derives, inside the caller's transaction, everything stored and not yet derived, and returns
   * the count changes that belong to no queued batch. A batch that re-times stored events (their
   * counts and reads move) needs them counted first.
   */
  deriveNow(): CountChange[];
  /**
   * Derives the caller's own batch inside its transaction, through `counting` (which holds the
   * moves of the events it re-timed), after `deriveNow`: then every stored row is derived.
   */
  deriveWith(job: DerivationJob, counting: CountBatch): void;
  /**
   * Inside the commit's transaction: a commit of few events derives them there, as a second
   * commit would cost more than its overlap with the flush saves (end-to-end latency at 2,000
   * events/s comes in envelopes of a few events).
   */
  beforeCommit(): void;
  /** After a commit, in a transaction of its own: what it stored and `beforeCommit` left. */
  afterCommit(): void;
  /** A batch or a whole commit failed: what was queued may be gone, so rows are read back next time. */
  afterFailure(): void;
  /** At open: rows stored before a crash that were never derived. */
  catchUp(): void;
}

export interface DerivationOptions {
  db: Database.Database;
  topology: TopologyIndex;
  counts: SqliteCounts;
  sessions: SessionTable;
  logger: Logger;
}

/** A commit of fewer events than this derives them in its own transaction (`beforeCommit`). */
const SPLIT_FROM_EVENTS = 64;

/** Rows read back per step of a catch-up, so a long one holds a bounded number of events. */
const CATCH_UP_ROWS = 64;

interface UnderivedRow {
  id: number;
  gateway: string;
  received_at: number;
  body: string;
}

/**
 * Counts and sessions follow a batch's events in a second transaction (issue 5): the events'
 * commit goes to disk on the thread pool while this one runs, instead of after it. The second
 * commit reaches the disk with the next flush; until then, or after a crash between the two,
 * `derived_through` says which batch rows still need their counts and sessions, and they are
 * derived from the rows. Both transactions run in one synchronous stretch, so no reader of this
 * connection sees events without their counts.
 */
export function createDerivation(options: DerivationOptions): Derivation {
  const { db, topology, counts, sessions, logger } = options;
  const statements = {
    mark: db.prepare("SELECT batch FROM derived_through").pluck(),
    underived: db.prepare(`
      SELECT id, gateway, received_at, body FROM event_batches WHERE id > ? ORDER BY id LIMIT ?`),
    behind: db
      .prepare("SELECT EXISTS (SELECT 1 FROM event_batches WHERE id > (SELECT batch FROM derived_through))")
      .pluck(),
    setMark: db.prepare(
      "UPDATE derived_through SET batch = (SELECT COALESCE(MAX(id), 0) FROM event_batches)",
    ),
  };
  let queued: DerivationJob[] = [];
  /** Queued jobs may not be all that is underived: read the rows instead. */
  let fromRows = false;

  /**
   * The jobs' counts go through one batch: a stream's last chunk is rewritten once per commit, not
   * once per envelope of a group. Its changes go with the last job (a group's batches resolve together).
   */
  const derive = (jobs: readonly DerivationJob[], batch?: CountBatch) => {
    const last = jobs.at(-1);
    if (last === undefined) return;
    const counting = batch ?? counts.batch(last.receivedAt);
    for (const job of jobs) {
      for (const [event, effect, t] of job.counted) counting.add(job.gateway, event, effect, t);
      sessions.ingest(job.gateway, job.timed, job.receivedAt, counting);
    }
    last.changes.push(...counting.finish());
  };

  const jobOf = (row: UnderivedRow): DerivationJob => {
    const job: DerivationJob = {
      gateway: row.gateway,
      receivedAt: row.received_at,
      counted: [],
      timed: [],
      changes: [],
    };
    for (const entry of JSON.parse(row.body) as StoredEntry[]) {
      const event = eventOf(entry);
      const t = entry[5];
      job.timed.push({ event, t });
      if (entry[6] === 1) continue;
      const effect = countDeltasFor(topology.sites.get(event.site), event);
      if (effect.known) job.counted.push([event, effect, t]);
    }
    return job;
  };

  const deriveNow = (): CountChange[] => {
    const changes: CountChange[] = [];
    if (fromRows) {
      let after = statements.mark.get() as number;
      for (;;) {
        const rows = statements.underived.all(after, CATCH_UP_ROWS) as UnderivedRow[];
        const jobs = rows.map(jobOf);
        derive(jobs);
        changes.push(...(jobs.at(-1)?.changes ?? []));
        if (rows.length < CATCH_UP_ROWS) break;
        after = (rows.at(-1) as UnderivedRow).id;
      }
    } else {
      derive(queued);
    }
    statements.setMark.run();
    queued = [];
    fromRows = false;
    return changes;
  };
  // Inside the batch's commit a savepoint: a failure rolls back only the counts and sessions.
  const derivePass = db.transaction(deriveNow);
  /** What was queued may be gone: the rows are read back next time. */
  const forget = () => {
    queued = [];
    fromRows = true;
  };
  const failed = (error: unknown) => {
    forget();
    logger.error(
      { err: error },
      "writing the counts and sessions of stored events failed; the next batch tries again",
    );
  };

  return {
    queue(job) {
      queued.push(job);
    },
    deriveNow,
    deriveWith(job, counting) {
      derive([job], counting);
      statements.setMark.run();
    },
    beforeCommit() {
      if (fromRows || queued.length === 0) return;
      let events = 0;
      for (const job of queued) events += job.timed.length;
      if (events >= SPLIT_FROM_EVENTS) return;
      try {
        derivePass();
      } catch (error) {
        failed(error);
      }
    },
    afterCommit() {
      if (!fromRows && queued.length === 0) return;
      try {
        // IMMEDIATE, as in group-commit.ts.
        counts.publish(derivePass.immediate());
      } catch (error) {
        failed(error);
      }
    },
    afterFailure: forget,
    catchUp() {
      if (statements.behind.get() !== 1) return;
      fromRows = true;
      try {
        counts.publish(derivePass.immediate());
        logger.info("derived the counts and sessions of events stored just before the last stop");
      } catch (error) {
        // The events stay stored; the store opens, and each batch tries again.
        logger.error({ err: error }, "deriving the counts and sessions of stored events failed");
      }
    },
  };
}
