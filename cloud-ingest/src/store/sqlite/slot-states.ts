import type Database from "better-sqlite3";
import type { TimelineKey } from "./count-timeline.js";

export interface SlotNeighbours {
  /** The slot's state just before the new one in time, or null when it is the first. */
  previous: boolean | null;
  /** The slot's next state in time, or null when the new one is the latest. */
  next: TimelineKey | null;
}

export interface SlotCurrent {
  occupied: boolean;
  /** Start of the current run of this state (ms, count time). */
  since: number;
  /** The latest report, which may repeat the state (ms, count time). */
  reportedAt: number;
}

/** Every bay sensor state ever reported, ordered per slot like the count timeline. */
export interface SlotStates {
  /** Stores a state (inside the caller's transaction) and returns its neighbours in time. */
  insert(site: string, slot: string, key: TimelineKey, occupied: boolean): SlotNeighbours;
  /** Deletes a stored state (its event's count time moved) and returns its neighbours in time. */
  remove(site: string, slot: string, key: TimelineKey): SlotNeighbours;
  /** The slot's latest state, or null before its first report. */
  current(site: string, slot: string): SlotCurrent | null;
}

const DESC = "ORDER BY t DESC, gateway DESC, seq DESC LIMIT 1";
const ASC = "ORDER BY t, gateway, seq LIMIT 1";

export function createSlotStates(db: Database.Database): SlotStates {
  const previous = db
    .prepare(
      `SELECT occupied FROM slot_states WHERE site = ? AND slot = ? AND (t, gateway, seq) < (?, ?, ?) ${DESC}`,
    )
    .pluck();
  const next = db.prepare(
    `SELECT t, gateway, seq FROM slot_states WHERE site = ? AND slot = ? AND (t, gateway, seq) > (?, ?, ?) ${ASC}`,
  );
  const insert = db.prepare(
    "INSERT INTO slot_states (site, slot, t, gateway, seq, occupied) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const remove = db.prepare(
    "DELETE FROM slot_states WHERE site = ? AND slot = ? AND t = ? AND gateway = ? AND seq = ?",
  );
  const latest = db.prepare(
    `SELECT t, gateway, seq, occupied FROM slot_states WHERE site = ? AND slot = ? ${DESC}`,
  );
  const latestIn = db.prepare(
    `SELECT t, gateway, seq FROM slot_states WHERE site = ? AND slot = ? AND occupied = ? ${DESC}`,
  );
  const firstAfter = db
    .prepare(`SELECT t FROM slot_states WHERE site = ? AND slot = ? AND (t, gateway, seq) > (?, ?, ?) ${ASC}`)
    .pluck();
  const first = db.prepare(`SELECT t FROM slot_states WHERE site = ? AND slot = ? ${ASC}`).pluck();

  return {
    insert(site, slot, key, occupied) {
      const at = [site, slot, key.t, key.gateway, key.seq] as const;
      const before = previous.get(...at) as number | undefined;
      const after = next.get(...at) as TimelineKey | undefined;
      insert.run(...at, occupied ? 1 : 0);
      return { previous: before === undefined ? null : before === 1, next: after ?? null };
    },
    remove(site, slot, key) {
      const at = [site, slot, key.t, key.gateway, key.seq] as const;
      remove.run(...at);
      const before = previous.get(...at) as number | undefined;
      const after = next.get(...at) as TimelineKey | undefined;
      return { previous: before === undefined ? null : before === 1, next: after ?? null };
    },
    current(site, slot) {
      const row = latest.get(site, slot) as (TimelineKey & { occupied: number }) | undefined;
      if (row === undefined) return null;
      // The run started just after the latest report of the other state (or at the first report).
      const other = latestIn.get(site, slot, 1 - row.occupied) as TimelineKey | undefined;
      const since =
        other === undefined
          ? (first.get(site, slot) as number)
          : (firstAfter.get(site, slot, other.t, other.gateway, other.seq) as number);
      return { occupied: row.occupied === 1, since, reportedAt: row.t };
    },
  };
}
