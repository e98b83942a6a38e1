import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createMetricsQueries } from "./metrics-queries.js";

describe("metrics queries", () => {
  it("answers no sessions while the sessions table does not exist, then counts by site and status", () => {
    const db = new Database(":memory:");
    const queries = createMetricsQueries(db);
    expect(queries.sessionsByStatus()).toEqual([]);
    db.exec("CREATE TABLE sessions (id TEXT PRIMARY KEY, site TEXT NOT NULL, status TEXT NOT NULL)");
    const insert = db.prepare("INSERT INTO sessions VALUES (?, ?, ?)");
    for (const [id, site, status] of [
      ["1", "b", "open"],
      ["2", "a", "closed"],
      ["3", "a", "closed"],
      ["4", "a", "unmatched"],
    ]) {
      insert.run(id, site, status);
    }
    expect(queries.sessionsByStatus()).toEqual([
      { site: "a", status: "closed", count: 2 },
      { site: "a", status: "unmatched", count: 1 },
      { site: "b", status: "open", count: 1 },
    ]);
    db.close();
  });
});
