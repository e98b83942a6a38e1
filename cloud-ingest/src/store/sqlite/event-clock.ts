import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type Database from "better-sqlite3";
import { type ClockAnchor, type EnvelopeClock, wallBaseOf } from "../../clock/anchor.js";
import type { ClockSettings } from "../../clock/clock-settings.js";
import { type CountTime, countTime } from "../../counts/count-time.js";
import { type ClockTable, createClockTable } from "./clock-table.js";
import { type EventColumns, eventFromColumns } from "./event-body.js";

const COLUMNS = "id, seq, type, site, occurred_at, body, t, clock_wall";

/** An event whose stored time changed: the caller moves its counts and session read. */
export type MoveEvent = (event: LotwatchEvent, from: number, to: number) => void;

/** One batch's view of its gateway's clocks, inside the batch's transaction. */
export interface BatchClock {
  /** The count time of an event of this batch (its `t` and the clock columns to store). */
  timeOf(event: LotwatchEvent): CountTime;
  /**
   * Derives again, within the budget, the stored times of the gateway's events whose boot anchor
   * moved earlier by more than the tolerance (or appeared), and calls `move` for each that changed.
   */
  retime(move: MoveEvent): number;
}

export interface EventClock {
  /** Folds the envelope (if the batch came in one) into its boot's anchor. */
  begin(gateway: string, envelope: EnvelopeClock | undefined, receivedAt: number): BatchClock;
  table: ClockTable;
}

interface StaleRow extends EventColumns {
  t: number;
  clock_wall: number | null;
}

export function createEventClock(db: Database.Database, settings: ClockSettings): EventClock {
  const table = createClockTable(db);
  // Two index ranges, not an OR, which SQLite would answer by scanning every row of the boot.
  const stale = db.prepare(`
    SELECT ${COLUMNS} FROM events
    WHERE gateway = @gateway AND clock_boot = @boot AND clock_base IS NULL
    UNION ALL
    SELECT ${COLUMNS} FROM events
    WHERE gateway = @gateway AND clock_boot = @boot AND clock_base > @staleAbove
    LIMIT @limit`);
  const update = db.prepare(
    "UPDATE events SET t = ?, clock_boot = ?, clock_base = ?, clock_wall = ? WHERE gateway = ? AND seq = ?",
  );

  return {
    table,
    begin(gateway, envelope, receivedAt) {
      const anchors = new Map<string, ClockAnchor | null>();
      const anchor = (bootId: string) => {
        let found = anchors.get(bootId);
        if (found === undefined) {
          found = table.get(gateway, bootId);
          anchors.set(bootId, found);
        }
        return found;
      };
      if (envelope !== undefined) {
        anchors.set(envelope.bootId, table.observe(gateway, envelope, receivedAt));
      }
      const envelopeWall = envelope && wallBaseOf(envelope.sentAt, envelope.uptimeMs);
      const context = {
        envelopeBoot: envelope?.bootId ?? null,
        anchor,
        wallBase: (bootId: string) => (bootId === envelope?.bootId ? (envelopeWall ?? null) : null),
        syncedThresholdMs: settings.syncedThresholdMs,
      };

      return {
        timeOf: (event) => countTime(event, context),
        retime(move) {
          let budget = settings.retimeBudget;
          let moved = 0;
          for (const dirty of table.dirty(gateway)) {
            if (budget <= 0) break;
            const rows = stale.all({
              gateway,
              boot: dirty.bootId,
              staleAbove: dirty.base + settings.retimeToleranceMs,
              limit: budget,
            }) as StaleRow[];
            budget -= rows.length;
            for (const row of rows) {
              const event = eventFromColumns(row);
              // The wall reading the event was corrected with stays its reading; only the anchor moved.
              const time = countTime(event, {
                ...context,
                envelopeBoot: dirty.bootId,
                wallBase: () => row.clock_wall,
              });
              update.run(time.t, time.boot, time.base, time.wallBase, gateway, row.seq);
              if (time.t !== row.t) {
                move(event, row.t, time.t);
                moved++;
              }
            }
            if (budget > 0) table.settle(gateway, dirty.bootId);
          }
          return moved;
        },
      };
    },
  };
}
