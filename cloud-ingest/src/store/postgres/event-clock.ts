import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { type ClockAnchor, type EnvelopeClock, wallBaseOf } from "../../clock/anchor.js";
import type { ClockSettings } from "../../clock/clock-settings.js";
import { type CountTime, countTime } from "../../counts/count-time.js";
import { createPgClockTable, type PgClockTable } from "./clock-table.js";
import { query, run, type Sql } from "./sql.js";

/** An event whose stored time changed: the caller moves its counts and session read. */
export type MoveEvent = (event: LotwatchEvent, from: number, to: number) => Promise<void>;

/** One batch's view of its gateway's clocks (see the SQLite store's event-clock.ts). */
export interface PgBatchClock {
  timeOf(event: LotwatchEvent): Promise<CountTime>;
  retime(move: MoveEvent): Promise<number>;
}

export interface PgEventClock {
  begin(
    sql: Sql,
    gateway: string,
    envelope: EnvelopeClock | undefined,
    receivedAt: number,
  ): Promise<PgBatchClock>;
  table: PgClockTable;
}

interface StaleRow {
  seq: number;
  body: string;
  t: number;
  clock_wall: number | null;
}

const STALE = `
  SELECT seq, body, t, clock_wall FROM events
  WHERE gateway = $1 AND clock_boot = $2 AND (clock_base IS NULL OR clock_base > $3)
  LIMIT $4`;
const UPDATE =
  "UPDATE events SET t = $1, clock_boot = $2, clock_base = $3, clock_wall = $4 WHERE gateway = $5 AND seq = $6";

export function createPgEventClock(settings: ClockSettings): PgEventClock {
  const table = createPgClockTable();
  return {
    table,
    async begin(sql, gateway, envelope, receivedAt) {
      // countTime asks for anchors synchronously: load the gateway's few anchors up front.
      const anchors = new Map<string, ClockAnchor | null>();
      const load = async (bootId: string) => {
        if (!anchors.has(bootId)) anchors.set(bootId, await table.get(sql, gateway, bootId));
      };
      if (envelope !== undefined) {
        anchors.set(envelope.bootId, await table.observe(sql, gateway, envelope, receivedAt));
      }
      const envelopeWall = envelope && wallBaseOf(envelope.sentAt, envelope.uptimeMs);
      const context = {
        envelopeBoot: envelope?.bootId ?? null,
        anchor: (bootId: string) => anchors.get(bootId) ?? null,
        wallBase: (bootId: string) => (bootId === envelope?.bootId ? (envelopeWall ?? null) : null),
        syncedThresholdMs: settings.syncedThresholdMs,
      };
      return {
        async timeOf(event) {
          if (event.bootId !== undefined) await load(event.bootId);
          return countTime(event, context);
        },
        async retime(move) {
          let budget = settings.retimeBudget;
          let moved = 0;
          for (const dirty of await table.dirty(sql, gateway)) {
            if (budget <= 0) break;
            anchors.set(dirty.bootId, dirty);
            const rows = await query<StaleRow>(sql, STALE, [
              gateway,
              dirty.bootId,
              dirty.base + settings.retimeToleranceMs,
              budget,
            ]);
            budget -= rows.length;
            for (const row of rows) {
              const event = JSON.parse(row.body) as LotwatchEvent;
              // The wall reading the event was corrected with stays its reading; only the anchor moved.
              const time = countTime(event, {
                ...context,
                envelopeBoot: dirty.bootId,
                wallBase: () => row.clock_wall,
              });
              await run(sql, UPDATE, [time.t, time.boot, time.base, time.wallBase, gateway, row.seq]);
              if (time.t !== row.t) {
                await move(event, row.t, time.t);
                moved++;
              }
            }
            if (budget > 0) await table.settle(sql, gateway, dirty.bootId);
          }
          return moved;
        },
      };
    },
  };
}
