import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { openDatabase } from "./open-database.js";

describe("openDatabase", () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = createTempDir();
  });
  afterEach(() => dir.remove());

  it("keeps the page cache at 2 MiB instead of better-sqlite3's 16 MB", () => {
    const db = openDatabase({
      path: dir.file("buffer.db"),
      synchronous: "full",
      gatewayId: "gw-1",
      now: new Date("2026-11-22T10:00:00.000Z"),
    });
    try {
      expect(db.pragma("cache_size", { simple: true })).toBe(-2048);
    } finally {
      db.close();
    }
  });
});
