import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "./open-database.js";

describe("openDatabase", () => {
  const dirs: string[] = [];
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), "lotwatch-open-"));
    dirs.push(dir);
    return join(dir, "ingest.db");
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("commits with synchronous FULL in WAL mode unless NORMAL is asked for", () => {
    const full = openDatabase(file());
    const normal = openDatabase(file(), { sync: "normal" });
    try {
      expect(full.pragma("journal_mode", { simple: true })).toBe("wal");
      // 2 = FULL, 1 = NORMAL
      expect(full.pragma("synchronous", { simple: true })).toBe(2);
      expect(normal.pragma("synchronous", { simple: true })).toBe(1);
    } finally {
      full.close();
      normal.close();
    }
  });
});
