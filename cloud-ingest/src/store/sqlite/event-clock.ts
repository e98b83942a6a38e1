import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type Database from "better-sqlite3";
import { type ClockAnchor, type EnvelopeClock, wallBaseOf } from "../../clock/anchor.js";
import type { ClockSettings } from "../../clock/clock-settings.js";
import { type CountTime, countTime } from "../../counts/count-time.js";
import { createClockSpanTable, createSpanRuns } from "./clock-spans.js";
import { type ClockTable, createClockTable } from "./clock-table.js";
import { type EventBatches, eventOf } from "./event-batches.js";

/** An event whose stored time changed: the caller moves its counts and session read. */
export type MoveEvent = (event: LotwatchEvent, from: number, to: number) => void;

/** One batch's view of its gateway's clocks, inside the batch's transaction. */
export interface BatchClock {
  /** The count time of an event of this batch (its `t`, and the clock that was derived with). */
  timeOf(event: LotwatchEvent, occurredAtMs: number): CountTime;
  /** Notes that the event of `seq` was stored at `time`, so that it is re-timed if need be. */
  stored(seq: number, time: CountTime): void;
  /** Writes what `stored` noted (a few rows per batch). */
  finish(): void;
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

export function createEventClock(
  db: Database.Database,
  batches: EventBatches,
  settings: ClockSettings,
): EventClock {
  const table = createClockTable(db);
  const spans = createClockSpanTable(db);

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

      const batch = createSpanRuns();
      return {
        timeOf: (event, occurredAtMs) => countTime(event, context, occurredAtMs),
        stored: batch.add,
        finish() {
          for (const span of batch.runs) spans.add(gateway, span);
        },
        retime(move) {
          let budget = settings.retimeBudget;
          let moved = 0;
          for (const dirty of table.dirty(gateway)) {
            if (budget <= 0) break;
            const staleAbove = dirty.base + settings.retimeToleranceMs;
            for (const span of spans.stale(gateway, dirty.bootId, staleAbove)) {
              if (budget <= 0) break;
              const rows = batches.range(gateway, span.from, span.to, budget);
              budget -= rows.length;
              spans.remove(gateway, span);
              const retimed = createSpanRuns();
              const moves: Array<{ located: (typeof rows)[number]; t: number }> = [];
              for (const located of rows) {
                const event = eventOf(located.entry);
                const storedAt = located.entry[5];
                // The wall reading the event was corrected with stays its reading; only the anchor moved.
                const time = countTime(event, {
                  ...context,
                  envelopeBoot: dirty.bootId,
                  wallBase: () => span.wall,
                });
                retimed.add(event.seq, time);
                if (time.t !== storedAt) {
                  moves.push({ located, t: time.t });
                  move(event, storedAt, time.t);
                  moved++;
                }
              }
              batches.retime(moves);
              const last = rows.at(-1)?.entry[0] ?? span.to;
              if (last < span.to) spans.add(gateway, { ...span, from: last + 1 });
              for (const run of retimed.runs) spans.add(gateway, run);
            }
            if (budget > 0) table.settle(gateway, dirty.bootId);
          }
          return moved;
        },
      };
    },
  };
}
