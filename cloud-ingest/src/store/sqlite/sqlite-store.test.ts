import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createTempDir, type TempDir, testTopology } from "../../test-support/fixtures.js";
import type { Store } from "../store.js";
import { MIGRATIONS } from "./migrations.js";
import { createSqliteStore } from "./sqlite-store.js";

let dir: TempDir;
let store: Store;
const open = () =>
  createSqliteStore({ path: dir.file("ingest.db"), topology: testTopology(), logger: createSilentLogger() });

beforeEach(() => {
  dir = createTempDir();
  store = open();
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

describe("SQLite store", () => {
  it("runs each migration once, also across reopens", async () => {
    await store.close();
    store = open();
    await store.close();
    const db = new Database(dir.file("ingest.db"), { readonly: true });
    const versions = db.prepare("SELECT version FROM schema_migrations").all();
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    store = open();
  });

  it("refuses a database from a newer ingest", async () => {
    await store.close();
    const db = new Database(dir.file("ingest.db"));
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 0)").run();
    db.close();
    expect(open).toThrow(/schema version 999/);
  });
});
