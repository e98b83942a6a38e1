import type { LotwatchEvent } from "@lotwatch/protocol/events.js";

/**
 * A gateway clock's offset in ms (its clock minus true time) during one boot; `bootId` is null when
 * the event does not name its boot.
 */
export type ClockOffset = (gateway: string, bootId: string | null) => number;

/** Until offsets are measured, event time is taken as stamped. */
export const NO_CLOCK_OFFSET: ClockOffset = () => 0;

/** The time an event counts at: `occurredAt` corrected by its gateway's clock offset. */
export function countTime(
  gateway: string,
  event: LotwatchEvent,
  offset: ClockOffset = NO_CLOCK_OFFSET,
): number {
  return Date.parse(event.occurredAt) - offset(gateway, event.bootId ?? null);
}
