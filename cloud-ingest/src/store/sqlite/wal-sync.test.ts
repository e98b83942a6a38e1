import type Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import { createGroupCommit } from "./group-commit.js";
import { openDatabase } from "./open-database.js";
import { createWalSync } from "./wal-sync.js";

let dir: TempDir;
let db: Database.Database;
beforeEach(() => {
  dir = createTempDir();
  db = openDatabase(dir.file("sync.db"));
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
});
afterEach(() => {
  db.close();
  dir.remove();
});

type Callback = (error: NodeJS.ErrnoException | null) => void;

/** An fdatasync that finishes only when the test says so. */
function heldSync() {
  const calls: Callback[] = [];
  return {
    fdatasync: (_fd: number, callback: Callback) => void calls.push(callback),
    calls,
    finish: (i: number, error: NodeJS.ErrnoException | null = null) => calls[i]?.(error),
  };
}

const turns = (n: number) =>
  new Promise<void>((resolve) => {
    const next = (left: number) => (left === 0 ? resolve() : setImmediate(() => next(left - 1)));
    next(n);
  });

const eio = Object.assign(new Error("input/output error"), { code: "EIO" });

describe("WAL sync", () => {
  it("takes the flushing over from SQLite: the connection commits with synchronous = NORMAL", async () => {
    const wal = createWalSync(db, { logger: createSilentLogger() });
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    db.prepare("INSERT INTO t (v) VALUES ('a')").run();
    await wal.flush();
    await wal.close();
  });

  it("resolves a group commit's items only once the flush after their commit finished", async () => {
    const sync = heldSync();
    const wal = createWalSync(db, { logger: createSilentLogger(), fdatasync: sync.fdatasync });
    const write = db.transaction((v: string) =>
      Number(db.prepare("INSERT INTO t (v) VALUES (?)").run(v).lastInsertRowid),
    );
    const group = createGroupCommit({ db, write, weigh: () => 1, maxWeight: 10, durable: wal });
    let resolved = false;
    const id = group.submit("a").then((value) => {
      resolved = true;
      return value;
    });
    await turns(5);
    expect(db.prepare("SELECT v FROM t").pluck().all()).toEqual(["a"]);
    expect(sync.calls).toHaveLength(1);
    expect(resolved).toBe(false);
    sync.finish(0);
    expect(await id).toBe(1);
  });

  it("gives the callers that arrive during a flush a flush of their own, shared between them", async () => {
    const sync = heldSync();
    const wal = createWalSync(db, { logger: createSilentLogger(), fdatasync: sync.fdatasync });
    const done: string[] = [];
    const first = wal.flush().then(() => done.push("first"));
    const second = wal.flush().then(() => done.push("second"));
    const third = wal.flush().then(() => done.push("third"));
    expect(sync.calls).toHaveLength(1);
    sync.finish(0);
    await first;
    await turns(2);
    // The running flush may have started before the later callers' commits: they wait for the next.
    expect(done).toEqual(["first"]);
    expect(sync.calls).toHaveLength(2);
    sync.finish(1);
    await Promise.all([second, third]);
    expect(done).toEqual(["first", "second", "third"]);
  });

  it("acknowledges nothing after a failed flush: that caller and every later one get store_sync_failed", async () => {
    const sync = heldSync();
    const wal = createWalSync(db, { logger: createSilentLogger(), fdatasync: sync.fdatasync });
    const first = wal.flush();
    const waiting = wal.flush();
    sync.finish(0, eio);
    await expect(first).rejects.toMatchObject({ code: "store_sync_failed" });
    await expect(waiting).rejects.toMatchObject({ code: "store_sync_failed" });
    await expect(wal.flush()).rejects.toThrow(/EIO.*restarts/);
    expect(() => wal.flushNow()).toThrow(/EIO/);
    expect(sync.calls).toHaveLength(1);
  });

  it("fails every item of a group whose flush failed, though SQLite committed them", async () => {
    const sync = heldSync();
    const wal = createWalSync(db, { logger: createSilentLogger(), fdatasync: sync.fdatasync });
    const write = db.transaction((v: string) => db.prepare("INSERT INTO t (v) VALUES (?)").run(v).changes);
    const group = createGroupCommit({ db, write, weigh: () => 1, maxWeight: 10, durable: wal });
    const outcomes = Promise.allSettled(["a", "b"].map((v) => group.submit(v)));
    await turns(5);
    sync.finish(0, eio);
    expect((await outcomes).map((outcome) => outcome.status)).toEqual(["rejected", "rejected"]);
  });

  it("refuses a flush after it closed instead of leaving the caller waiting", async () => {
    const wal = createWalSync(db, { logger: createSilentLogger() });
    await wal.close();
    await expect(wal.flush()).rejects.toMatchObject({ code: "store_sync_failed" });
  });

  it("flushes on the calling thread for the commits made as the database closes", async () => {
    const wal = createWalSync(db, { logger: createSilentLogger(), fdatasync: heldSync().fdatasync });
    const write = db.transaction((v: string) => db.prepare("INSERT INTO t (v) VALUES (?)").run(v).changes);
    const group = createGroupCommit({ db, write, weigh: () => 1, maxWeight: 10, durable: wal });
    const item = group.submit("a");
    group.flush();
    expect(await item).toBe(1);
  });
});
