import Database from "better-sqlite3";
import { countStepsOf } from "./count-steps.js";

/**
 * What a database's counts and sessions hold, read by a connection of its own: two databases that
 * took the same events in any order, batching or failure pattern must give equal answers.
 */
export function derivedTablesOf(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return {
      steps: countStepsOf(db),
      slots: db.prepare("SELECT * FROM slot_states ORDER BY site, slot, t, gateway, seq").all(),
      reads: db.prepare("SELECT * FROM session_reads ORDER BY gateway, seq").all(),
      sessions: db
        .prepare("SELECT id, status, entry_at, exit_at, duration_s, fee FROM sessions ORDER BY id")
        .all(),
    };
  } finally {
    db.close();
  }
}
