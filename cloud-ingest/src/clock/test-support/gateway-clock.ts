import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type { EnvelopeClock } from "../anchor.js";

/** One boot of a simulated gateway; times are TRUE times (ms), as the ingest's clock reads them. */
export interface SimulatedBoot {
  bootId: string;
  /** True time at uptime 0. */
  bootAt: number;
  /** The wall clock minus true time (−3 h: three hours behind). */
  wallErrorMs: number;
  /** Whether the agent knows its clock is set (false: stamps carry `clockSynced: false`). */
  synced: boolean;
}

/**
 * Restamps an event as the agent would at true time `trueAt`: occurredAt from the wrong wall clock,
 * uptime in the boot, `clockSynced: false` while unsynced, and `bootId` when it will be sent by a
 * later boot (`sender`).
 */
export function stampIn(
  boot: SimulatedBoot,
  event: LotwatchEvent,
  trueAt: number,
  sender: SimulatedBoot = boot,
): LotwatchEvent {
  return {
    ...event,
    occurredAt: new Date(trueAt + boot.wallErrorMs).toISOString(),
    uptimeMs: trueAt - boot.bootAt,
    ...(boot.synced ? {} : { clockSynced: false }),
    ...(sender.bootId === boot.bootId ? {} : { bootId: boot.bootId }),
  } as LotwatchEvent;
}

/** The clocks of an envelope sent at true time `trueAt`, and when it arrives after `transitMs`. */
export function sendIn(
  boot: SimulatedBoot,
  trueAt: number,
  transitMs: number,
): { envelope: EnvelopeClock; receivedAt: number } {
  return {
    envelope: { bootId: boot.bootId, sentAt: trueAt + boot.wallErrorMs, uptimeMs: trueAt - boot.bootAt },
    receivedAt: trueAt + transitMs,
  };
}
