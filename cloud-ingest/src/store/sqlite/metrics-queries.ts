import type Database from "better-sqlite3";
import type { SessionStatusCount } from "../store.js";

/** Read-only queries behind the metrics gauges. */
export interface MetricsQueries {
  sessionsByStatus(): SessionStatusCount[];
}

export function createMetricsQueries(db: Database.Database): MetricsQueries {
  const hasSessions = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'");
  let countSessions: Database.Statement | undefined;
  return {
    sessionsByStatus() {
      // Prepared lazily: the sessions table comes with a later migration than this module may see.
      if (countSessions === undefined) {
        if (hasSessions.get() === undefined) return [];
        countSessions = db.prepare(
          "SELECT site, status, COUNT(*) AS count FROM sessions GROUP BY site, status ORDER BY site, status",
        );
      }
      return countSessions.all() as SessionStatusCount[];
    },
  };
}
