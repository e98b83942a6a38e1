import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import { CHUNK_ENTRIES } from "./count-chunks.js";
import { COUNT_CHUNKS_MIGRATION } from "./count-chunks-schema.js";
import { createCountTimeline, type TimelineStream } from "./count-timeline.js";
import { MIGRATIONS, migrate } from "./migrations.js";

let dir: TempDir;
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

const STREAMS: TimelineStream[] = [
  { site: "campus", space: "garage", source: "flow" },
  { site: "campus", space: "garage", source: "slots" },
  { site: "campus", space: "yard", source: "flow" },
];

/** Old timeline rows as the running-sum store wrote them: some instants shared by two gateways. */
function fillOldTimeline(db: Database.Database, stream: TimelineStream, events: number): void {
  const insert = db.prepare(
    "INSERT INTO count_timeline (site, space, source, t, gateway, seq, delta, cum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  let cum = 0;
  for (let seq = 1; seq <= events; seq++) {
    const t = 1000 * Math.floor(seq / 2);
    // Each pair shares an instant; every fifth pair cancels out at it.
    const delta = seq % 10 === 1 ? -1 : seq % 3 === 0 ? -1 : 1;
    cum += delta;
    insert.run(stream.site, stream.space, stream.source, t, seq % 2 === 0 ? "gw-a" : "gw-b", seq, delta, cum);
  }
}

describe("migration 11 (count chunks)", () => {
  it("carries old timeline rows into chunks that give the same count at every time", () => {
    const db = new Database(dir.file("old.db"));
    try {
      migrate(
        db,
        MIGRATIONS.filter((migration) => migration.version < COUNT_CHUNKS_MIGRATION.version),
      );
      const sizes = [8 * CHUNK_ENTRIES + 17, 5, 1];
      db.transaction(() => {
        STREAMS.forEach((stream, i) => {
          fillOldTimeline(db, stream, sizes[i] ?? 0);
        });
      })();
      const oldCumAt = db
        .prepare(
          `SELECT cum FROM count_timeline WHERE site = ? AND space = ? AND source = ? AND t <= ?
           ORDER BY t DESC, gateway DESC, seq DESC LIMIT 1`,
        )
        .pluck();
      const times = Array.from({ length: 8 * CHUNK_ENTRIES + 20 }, (_, i) => 500 * i - 1000);
      const answers = (read: (stream: TimelineStream, t: number) => number) =>
        STREAMS.map((stream) => times.map((t) => read(stream, t)));
      const before = answers(
        (stream, t) => (oldCumAt.get(stream.site, stream.space, stream.source, t) as number | undefined) ?? 0,
      );

      expect(migrate(db)).toContain(COUNT_CHUNKS_MIGRATION.version);
      const timeline = createCountTimeline(db);
      expect(answers((stream, t) => timeline.cumAt(stream, t))).toEqual(before);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE name = 'count_timeline'").all();
      expect(tables).toEqual([]);
      const chunks = db.prepare(
        "SELECT COUNT(*) FROM count_chunks WHERE space = 'garage' AND source = 'flow'",
      );
      expect(chunks.pluck().get()).toBeGreaterThan(1);
    } finally {
      db.close();
    }
  });
});
