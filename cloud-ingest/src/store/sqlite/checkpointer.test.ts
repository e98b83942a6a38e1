import { statSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import { startCheckpointer } from "./checkpointer.js";
import { openDatabase } from "./open-database.js";

let dir: TempDir;
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

describe("the checkpoint worker", () => {
  it("copies the WAL into the database file while the writer never checkpoints", async () => {
    const path = dir.file("ingest.db");
    const db = openDatabase(path);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    db.pragma("wal_checkpoint(TRUNCATE)");
    const before = statSync(path).size;
    const checkpointer = startCheckpointer(db, { logger: createSilentLogger(), intervalMs: 20 });
    try {
      expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
      const insert = db.prepare("INSERT INTO t (body) VALUES (?)");
      const body = "x".repeat(1000);
      db.transaction(() => {
        for (let i = 0; i < 2_000; i++) insert.run(body);
      }).immediate();
      // Only the worker can have written these pages to the main file: the writer's autocheckpoint is off.
      const deadline = Date.now() + 10_000;
      while (statSync(path).size < before + 1_000_000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(statSync(path).size).toBeGreaterThan(before + 1_000_000);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  it("starts the WAL over under back-to-back commits, so it stays small without a truncation", async () => {
    const path = dir.file("ingest.db");
    const db = openDatabase(path);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    const checkpointer = startCheckpointer(db, {
      logger: createSilentLogger(),
      intervalMs: 10,
      restartAboveFrames: 64,
      truncateAboveFrames: 1_000_000,
    });
    try {
      const insert = db.prepare("INSERT INTO t (body) VALUES (?)");
      const body = "x".repeat(3000);
      let largestWal = 0;
      // Commits with hardly a pause between them: a PASSIVE checkpoint alone never finds the WAL
      // fully copied at the next commit, so the WAL would keep every frame written (~7 MB here).
      for (let i = 0; i < 600; i++) {
        db.transaction(() => insert.run(body)).immediate();
        largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(largestWal).toBeLessThan(2_000_000);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  it("starts no worker for an in-memory database, which keeps SQLite's own checkpoints", async () => {
    const db = openDatabase(":memory:");
    const checkpointer = startCheckpointer(db, { logger: createSilentLogger() });
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    await checkpointer.close();
    db.close();
  });
});
