import type { Reading } from "@lotwatch/protocol/events.js";
import type Database from "better-sqlite3";

export interface LaneCount {
  lane: string;
  /** vehicle.entry readings on this lane. */
  entries: number;
  /** vehicle.exit readings on this lane. */
  exits: number;
  net: number;
  /** Latest occurredAt seen on this lane. */
  lastAt: string;
}

export interface DoorCount {
  door: string;
  /** People towards the door's `to` space (direction 1), counting `count`. */
  in: number;
  /** People the other way (direction -1). */
  out: number;
  net: number;
  lastAt: string;
}

export interface SlotCount {
  slot: string;
  occupied: boolean;
  /** occurredAt of the reading that put the slot in this state. */
  since: string;
  /** occurredAt of the latest reading of the slot. */
  lastAt: string;
}

/** Counts of every reading accepted since the buffer file was created. */
export interface LocalCounts {
  since: string;
  lanes: LaneCount[];
  doors: DoorCount[];
  slots: SlotCount[];
}

/** Adds up one commit's readings and writes them in that commit's transaction. */
export interface CountsTally {
  /** `occurredAt` in ms since the epoch. */
  add(reading: Reading, occurredAt: number): void;
  write(): void;
}

export interface CountsStore {
  tally(): CountsTally;
  snapshot(): LocalCounts;
}

interface Totals {
  a: number;
  b: number;
  lastAt: number;
}

/**
 * Per lane, door and slot totals kept in the buffer file, updated in the transaction that commits
 * the readings: they survive restarts and never count a reading that was not committed.
 */
export function createCountsStore(db: Database.Database): CountsStore {
  const upsertLane = db.prepare(
    `INSERT INTO lane_counts (lane, entries, exits, last_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (lane) DO UPDATE SET entries = entries + excluded.entries, exits = exits + excluded.exits,
       last_at = max(last_at, excluded.last_at)`,
  );
  const upsertDoor = db.prepare(
    `INSERT INTO door_counts (door, in_count, out_count, last_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (door) DO UPDATE SET in_count = in_count + excluded.in_count,
       out_count = out_count + excluded.out_count, last_at = max(last_at, excluded.last_at)`,
  );
  // A reading older than the slot's latest is history, not the current state; a repeat keeps `since`.
  const upsertSlot = db.prepare(
    `INSERT INTO slot_states (slot, occupied, since, last_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (slot) DO UPDATE SET
       since = CASE WHEN occupied = excluded.occupied THEN since ELSE excluded.since END,
       occupied = excluded.occupied, last_at = excluded.last_at
     WHERE excluded.last_at >= last_at`,
  );
  const selectLanes = db.prepare("SELECT lane, entries, exits, last_at FROM lane_counts ORDER BY lane");
  const selectDoors = db.prepare("SELECT door, in_count, out_count, last_at FROM door_counts ORDER BY door");
  const selectSlots = db.prepare("SELECT slot, occupied, since, last_at FROM slot_states ORDER BY slot");
  const selectSince = db.prepare("SELECT value FROM meta WHERE key = 'created_at'").pluck();

  return {
    tally() {
      const lanes = new Map<string, Totals>();
      const doors = new Map<string, Totals>();
      const slots: Array<{ slot: string; occupied: boolean; at: number }> = [];
      const bump = (map: Map<string, Totals>, key: string, a: number, b: number, at: number) => {
        const totals = map.get(key);
        if (totals === undefined) map.set(key, { a, b, lastAt: at });
        else {
          totals.a += a;
          totals.b += b;
          totals.lastAt = Math.max(totals.lastAt, at);
        }
      };
      return {
        add(reading, at) {
          switch (reading.type) {
            case "vehicle.entry":
              return bump(lanes, reading.lane, 1, 0, at);
            case "vehicle.exit":
              return bump(lanes, reading.lane, 0, 1, at);
            case "door.crossing": {
              const count = reading.count ?? 1;
              return reading.direction === 1
                ? bump(doors, reading.door, count, 0, at)
                : bump(doors, reading.door, 0, count, at);
            }
            case "slot.state":
              slots.push({ slot: reading.slot, occupied: reading.occupied, at });
          }
        },
        write() {
          for (const [lane, t] of lanes) upsertLane.run(lane, t.a, t.b, t.lastAt);
          for (const [door, t] of doors) upsertDoor.run(door, t.a, t.b, t.lastAt);
          for (const s of slots) upsertSlot.run(s.slot, s.occupied ? 1 : 0, s.at, s.at);
        },
      };
    },
    snapshot() {
      const iso = (ms: number) => new Date(ms).toISOString();
      const lanes = selectLanes.all() as Array<{
        lane: string;
        entries: number;
        exits: number;
        last_at: number;
      }>;
      const doors = selectDoors.all() as Array<{
        door: string;
        in_count: number;
        out_count: number;
        last_at: number;
      }>;
      const slots = selectSlots.all() as Array<{
        slot: string;
        occupied: number;
        since: number;
        last_at: number;
      }>;
      return {
        since: String(selectSince.get()),
        lanes: lanes.map((row) => ({
          lane: row.lane,
          entries: row.entries,
          exits: row.exits,
          net: row.entries - row.exits,
          lastAt: iso(row.last_at),
        })),
        doors: doors.map((row) => ({
          door: row.door,
          in: row.in_count,
          out: row.out_count,
          net: row.in_count - row.out_count,
          lastAt: iso(row.last_at),
        })),
        slots: slots.map((row) => ({
          slot: row.slot,
          occupied: row.occupied === 1,
          since: iso(row.since),
          lastAt: iso(row.last_at),
        })),
      };
    },
  };
}
