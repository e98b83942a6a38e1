import Database from "better-sqlite3";
import { decodeEntries } from "../count-chunks.js";

/** A stream's count as a step function: each time its count changes, and the count from then on. */
export type CountSteps = Record<string, Array<[t: number, count: number]>>;

/**
 * Every stream's steps read from `count_chunks`: they fix every answer `cumAt` can give, and do not
 * depend on how the entries were cut into chunks, so two databases that took the same events in
 * different orders must have equal steps.
 */
export function countStepsOf(db: Database.Database): CountSteps {
  const rows = db
    .prepare(
      "SELECT site, space, source, base, entries FROM count_chunks ORDER BY site, space, source, t_start",
    )
    .all() as Array<{ site: string; space: string; source: string; base: number; entries: Buffer }>;
  const steps: CountSteps = {};
  for (const row of rows) {
    const stream = `${row.site}/${row.space}/${row.source}`;
    const list = steps[stream] ?? [];
    steps[stream] = list;
    let count = row.base;
    const entries = decodeEntries(row.entries);
    for (let i = 0; i < entries.length; i += 2) {
      count += entries[i + 1] as number;
      list.push([entries[i] as number, count]);
    }
  }
  return steps;
}

export function countStepsIn(path: string): CountSteps {
  const db = new Database(path, { readonly: true });
  try {
    return countStepsOf(db);
  } finally {
    db.close();
  }
}
