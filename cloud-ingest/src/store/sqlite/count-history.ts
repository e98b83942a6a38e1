import type Database from "better-sqlite3";

/**
 * Count deltas over event time. `sumAt` is a plain indexed sum today; checkpoints (periodic
 * running totals) will make it logarithmic by changing only this module.
 */
export interface CountHistory {
  add(site: string, space: string, t: number, delta: number, gateway: string, seq: number): void;
  sumAt(site: string, space: string, atMs: number): number;
}

export function createCountHistory(db: Database.Database): CountHistory {
  const insert = db.prepare(
    "INSERT INTO count_deltas (site, space, t, delta, gateway, seq) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const sum = db.prepare(
    "SELECT COALESCE(SUM(delta), 0) AS total FROM count_deltas WHERE site = ? AND space = ? AND t <= ?",
  );
  return {
    add(site, space, t, delta, gateway, seq) {
      insert.run(site, space, t, delta, gateway, seq);
    },
    sumAt(site, space, atMs) {
      return (sum.get(site, space, atMs) as { total: number }).total;
    },
  };
}
