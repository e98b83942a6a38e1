import { statSync } from "node:fs";
import type Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import { createGroupCommit } from "./group-commit.js";
import { openDatabase } from "./open-database.js";

let dir: TempDir;
let db: Database.Database;
let walPath: string;
beforeEach(() => {
  dir = createTempDir();
  const path = dir.file("group.db");
  walPath = `${path}-wal`;
  db = openDatabase(path);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
});
afterEach(() => {
  db.close();
  dir.remove();
});

const frames = () => {
  const size = statSync(walPath).size;
  return size === 0 ? 0 : (size - 32) / (24 + 4096);
};

const groupOf = (log: string[] = [], maxWeight = 1_000) => {
  const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
  const write = db.transaction((v: string) => {
    if (v === "bad") throw new Error("refused");
    if (v === "abort") {
      // What SQLite does on an I/O error or a full disk: the whole transaction is gone.
      db.exec("ROLLBACK");
      throw new Error("disk full");
    }
    log.push(`write ${v}`);
    return Number(insert.run(v).lastInsertRowid);
  });
  return createGroupCommit({ db, write, weigh: () => 1, maxWeight });
};

describe("group commit", () => {
  it("commits what is handed in during one turn in one transaction, each getting its own result", async () => {
    const group = groupOf();
    db.pragma("wal_checkpoint(TRUNCATE)");
    const ids = await Promise.all(["a", "b", "c", "d", "e", "f", "g", "h"].map((v) => group.submit(v)));
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // One commit writes the table's page once; eight commits would write it eight times.
    expect(frames()).toBe(1);
    db.pragma("wal_checkpoint(TRUNCATE)");
    for (const v of ["i", "j", "k"]) await group.submit(v);
    expect(frames()).toBe(3);
  });

  it("rolls back only the write that failed; the others of its group commit", async () => {
    const group = groupOf();
    const outcomes = await Promise.allSettled(["a", "bad", "c"].map((v) => group.submit(v)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(db.prepare("SELECT v FROM t ORDER BY id").pluck().all()).toEqual(["a", "c"]);
  });

  it("fails the whole group when a write aborted the transaction, writing nothing outside it", async () => {
    const group = groupOf();
    const outcomes = await Promise.allSettled(["a", "abort", "c"].map((v) => group.submit(v)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(db.prepare("SELECT v FROM t").pluck().all()).toEqual([]);
    expect(await group.submit("d")).toBe(1);
  });

  it("stops a group at its weight and commits the rest in the next turn, after the first resolved", async () => {
    const log: string[] = [];
    const group = groupOf(log, 2);
    await Promise.all(["a", "b", "c"].map((v) => group.submit(v).then(() => log.push(`resolved ${v}`))));
    expect(log).toEqual(["write a", "write b", "resolved a", "resolved b", "write c", "resolved c"]);
  });

  it("lets what the broker does two turns after a commit (its deliveries) run before the next commit", async () => {
    const log: string[] = [];
    const group = groupOf(log);
    // As aedes: PUBACK when the commit resolves, the delivery to subscribers two setImmediates later.
    const deliverLater = (v: string) => () =>
      setImmediate(() => setImmediate(() => log.push(`delivered ${v}`)));
    const first = group.submit("a").then(deliverLater("a"));
    // The next envelope arrives while the first one commits.
    setImmediate(() => void group.submit("b").then(deliverLater("b")));
    await first;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual(["write a", "delivered a", "write b", "delivered b"]);
  });

  it("commits what waits when flushed, as before the database closes", () => {
    const group = groupOf();
    void group.submit("a");
    group.flush();
    expect(db.prepare("SELECT v FROM t").pluck().all()).toEqual(["a"]);
  });
});
