import type { TimelineKey } from "../sqlite/count-timeline.js";
import type { SlotCurrent, SlotNeighbours } from "../sqlite/slot-states.js";
import { one, run, type Sql } from "./sql.js";

/** Every bay sensor state ever reported, as the SQLite store keeps them (sqlite/slot-states.ts). */
export interface PgSlotStates {
  insert(sql: Sql, site: string, slot: string, key: TimelineKey, occupied: boolean): Promise<SlotNeighbours>;
  remove(sql: Sql, site: string, slot: string, key: TimelineKey): Promise<SlotNeighbours>;
  current(sql: Sql, site: string, slot: string): Promise<SlotCurrent | null>;
}

const DESC = "ORDER BY t DESC, gateway DESC, seq DESC LIMIT 1";
const ASC = "ORDER BY t, gateway, seq LIMIT 1";
const SLOT = "site = $1 AND slot = $2";
const PREVIOUS = `SELECT occupied FROM slot_states WHERE ${SLOT} AND (t, gateway, seq) < ($3, $4, $5) ${DESC}`;
const NEXT = `SELECT t, gateway, seq FROM slot_states WHERE ${SLOT} AND (t, gateway, seq) > ($3, $4, $5) ${ASC}`;
const INSERT =
  "INSERT INTO slot_states (site, slot, t, gateway, seq, occupied) VALUES ($1, $2, $3, $4, $5, $6)";
const REMOVE = `DELETE FROM slot_states WHERE ${SLOT} AND t = $3 AND gateway = $4 AND seq = $5`;
const LATEST = `SELECT t, gateway, seq, occupied FROM slot_states WHERE ${SLOT} ${DESC}`;
const LATEST_IN = `SELECT t, gateway, seq FROM slot_states WHERE ${SLOT} AND occupied = $3 ${DESC}`;
const FIRST_AFTER = `SELECT t FROM slot_states WHERE ${SLOT} AND (t, gateway, seq) > ($3, $4, $5) ${ASC}`;
const FIRST = `SELECT t FROM slot_states WHERE ${SLOT} ${ASC}`;

export function createPgSlotStates(): PgSlotStates {
  const neighbours = async (sql: Sql, at: readonly unknown[]): Promise<SlotNeighbours> => {
    const before = await one<{ occupied: boolean }>(sql, PREVIOUS, at);
    const after = await one<TimelineKey>(sql, NEXT, at);
    return { previous: before?.occupied ?? null, next: after ?? null };
  };
  return {
    async insert(sql, site, slot, key, occupied) {
      const at = [site, slot, key.t, key.gateway, key.seq];
      const found = await neighbours(sql, at);
      await run(sql, INSERT, [...at, occupied]);
      return found;
    },
    async remove(sql, site, slot, key) {
      const at = [site, slot, key.t, key.gateway, key.seq];
      await run(sql, REMOVE, at);
      return neighbours(sql, at);
    },
    async current(sql, site, slot) {
      const row = await one<TimelineKey & { occupied: boolean }>(sql, LATEST, [site, slot]);
      if (row === undefined) return null;
      // The run started just after the latest report of the other state (or at the first report).
      const other = await one<TimelineKey>(sql, LATEST_IN, [site, slot, !row.occupied]);
      const since =
        other === undefined
          ? (await one<{ t: number }>(sql, FIRST, [site, slot]))?.t
          : (await one<{ t: number }>(sql, FIRST_AFTER, [site, slot, other.t, other.gateway, other.seq]))?.t;
      return { occupied: row.occupied, since: since as number, reportedAt: row.t };
    },
  };
}
