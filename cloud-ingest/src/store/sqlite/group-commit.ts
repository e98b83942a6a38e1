import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type Database from "better-sqlite3";
import type { Durability } from "./wal-sync.js";

export interface GroupCommitOptions<I, O> {
  db: Database.Database;
  /** Writes one item; a `db.transaction` function, so in a group it runs as a savepoint. */
  write: Database.Transaction<(item: I) => O>;
  /** How much an item weighs (events in a batch); a group stops growing past `maxWeight`. */
  weigh: (item: I) => number;
  maxWeight: number;
  /** Puts a commit on disk before its items resolve (wal-sync.ts); without it the commit is enough. */
  durable?: Durability;
  /** Runs inside each commit's transaction, after its items; a throw fails the whole commit. */
  beforeCommit?: () => void;
  /**
   * Runs after each commit, while it goes to disk, before its items resolve (the store writes
   * counts and sessions there, derivation.ts). It handles its own errors.
   */
  afterCommit?: () => void;
  /** Runs when an item's write failed, or a whole commit. */
  afterFailure?: () => void;
}

export interface GroupCommit<I, O> {
  /** Resolves once the transaction holding the item committed; rejects if its write failed. */
  submit(item: I): Promise<O>;
  /** Commits whatever is waiting, now (before the database closes). */
  flush(): void;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

/**
 * Event-loop turns left to other work between two commits. A commit blocks the loop, and
 * aedes sends a PUBACK at once but delivers the message to subscribers two `setImmediate` hops
 * later: a commit started before then held that delivery up by its own duration, for 2 of 3
 * envelopes at 2,000 events/s (issue 5). An idle turn costs microseconds, and envelopes read
 * meanwhile join the group.
 */
const SETTLE_TURNS = 2;

/**
 * Group commit: items submitted during one turn of the event loop (the envelopes aedes parsed from
 * one read of a socket, or from several gateways) share one transaction and one fsync, each in its
 * own savepoint, so one failing write rolls back alone and the others commit. A group stops at
 * `maxWeight`; the rest commits a few turns later, after the first group's PUBACKs and deliveries
 * went out, so a commit never waits behind a long run of batches.
 */
export function createGroupCommit<I, O>(options: GroupCommitOptions<I, O>): GroupCommit<I, O> {
  const { db, write, weigh, maxWeight, durable, beforeCommit, afterCommit, afterFailure } = options;
  let queue: Pending<I, O>[] = [];
  let scheduled = false;
  let settling = 0;
  const writeOne = db.transaction((item: I) => {
    const value = write(item);
    beforeCommit?.();
    return value;
  });
  const writeGroup = db.transaction((items: Pending<I, O>[]) => {
    const outcomes = items.map((pending): Outcome<O> => {
      try {
        return { ok: true, value: write(pending.item) };
      } catch (error) {
        // An I/O error or a full disk can abort the whole transaction, not just the savepoint: then
        // nothing of the group is stored, and every item must fail rather than commit on its own.
        if (!db.inTransaction) throw error;
        afterFailure?.();
        return { ok: false, error };
      }
    });
    beforeCommit?.();
    return outcomes;
  });

  const take = (): Pending<I, O>[] => {
    let weight = 0;
    let count = 0;
    while (count < queue.length && (count === 0 || weight < maxWeight)) {
      weight += weigh((queue[count] as Pending<I, O>).item);
      count++;
    }
    const group = queue.slice(0, count);
    queue = queue.slice(count);
    return group;
  };

  /** `now`: flush on this thread, for the last commits before the database closes. */
  const commit = (group: Pending<I, O>[], now = false) => {
    if (!db.open) {
      const error = new LotwatchError("store_closed", "the store is closed (the ingest is shutting down)");
      for (const pending of group) pending.reject(error);
      return;
    }
    let outcomes: Outcome<O>[];
    try {
      // IMMEDIATE: a transaction that read first could not become a writer once the checkpoint
      // worker truncated the WAL under its snapshot; taking the write lock up front waits instead.
      outcomes =
        group.length === 1
          ? [{ ok: true, value: writeOne.immediate((group[0] as Pending<I, O>).item) }]
          : writeGroup.immediate(group);
    } catch (error) {
      afterFailure?.();
      for (const pending of group) pending.reject(error);
      return;
    }
    // The flush starts first: the disk works on this commit while afterCommit runs.
    const flushed = durable === undefined || now ? null : durable.flush();
    afterCommit?.();
    const settle = () =>
      outcomes.forEach((outcome, i) => {
        const pending = group[i] as Pending<I, O>;
        if (outcome.ok) pending.resolve(outcome.value);
        else pending.reject(outcome.error);
      });
    const refuse = (error: unknown) => {
      for (const pending of group) pending.reject(error);
    };
    if (durable === undefined) settle();
    else if (flushed !== null) flushed.then(settle, refuse);
    else {
      try {
        durable.flushNow();
        settle();
      } catch (error) {
        refuse(error);
      }
    }
  };

  const turn = () => {
    if (settling > 0) {
      settling--;
      setImmediate(turn);
      return;
    }
    scheduled = false;
    commit(take());
    settling = SETTLE_TURNS;
    schedule();
  };
  const schedule = () => {
    if (scheduled || queue.length === 0) return;
    scheduled = true;
    setImmediate(turn);
  };

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    flush() {
      while (queue.length > 0) commit(take(), true);
    },
  };
}
