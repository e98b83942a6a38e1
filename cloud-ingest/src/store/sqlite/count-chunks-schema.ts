import type Database from "better-sqlite3";
import type { TimelineSource } from "../../counts/count-sources.js";
import { cutChunks, encodeEntries, normalize, type TimelineEntry } from "./count-chunks.js";
import type { Migration } from "./migrations.js";

/**
 * Migration 11: count history as chunks of entries (`count_chunks`, count-timeline.ts) instead
 * of one `count_timeline` row per event, which cost ~10 µs per event on ingest (issue 5). A rowid
 * table, since a full chunk's entries outgrow a page. Each stream's rows are carried over as the
 * chunks time-ordered ingest would have built, then `count_timeline` goes.
 */
export const COUNT_CHUNKS_MIGRATION: Migration = {
  version: 11,
  name: "count timelines as chunks",
  sql: `
    CREATE TABLE count_chunks (
      site TEXT NOT NULL,
      space TEXT NOT NULL,
      source TEXT NOT NULL,
      t_start INTEGER NOT NULL,
      base INTEGER NOT NULL,
      entries BLOB NOT NULL,
      PRIMARY KEY (site, space, source, t_start)
    );
  `,
  up: carryTimelineIntoChunks,
};

function carryTimelineIntoChunks(db: Database.Database): void {
  const insert = db.prepare(
    "INSERT INTO count_chunks (site, space, source, t_start, base, entries) VALUES (?, ?, ?, ?, ?, ?)",
  );
  // One stream at a time: a connection cannot write while it still reads a statement's rows.
  const streams = db.prepare("SELECT DISTINCT site, space, source FROM count_timeline").all() as Array<{
    site: string;
    space: string;
    source: TimelineSource;
  }>;
  const rowsOf = db.prepare(
    "SELECT t, delta FROM count_timeline WHERE site = ? AND space = ? AND source = ? ORDER BY t",
  );
  for (const { site, space, source } of streams) {
    const entries = normalize(rowsOf.all(site, space, source) as TimelineEntry[]);
    const first = entries[0];
    if (first === undefined) continue;
    for (const chunk of cutChunks(first, 0, entries, true)) {
      insert.run(site, space, source, chunk.start, chunk.base, encodeEntries(chunk.entries));
    }
  }
  db.exec("DROP TABLE count_timeline");
}
