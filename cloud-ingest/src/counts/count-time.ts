import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { type ClockAnchor, ingestTimeAt, wallBaseOf, wallOffset } from "../clock/anchor.js";

/** An event with the time it counts and matches at. */
export interface TimedEvent {
  event: LotwatchEvent;
  t: number;
}

/** What the time of one event may be derived from; see `countTime`. */
export interface ClockContext {
  /** The boot of the envelope that carried the event, or null when unknown (a direct insert). */
  envelopeBoot: string | null;
  /** The anchor of a boot of the event's gateway, or null before any envelope of it arrived. */
  anchor(bootId: string): ClockAnchor | null;
  /** A wall clock reading of the boot (`sentAt − uptimeMs`) to prefer to the anchor's latest. */
  wallBase(bootId: string): number | null;
  syncedThresholdMs: number;
}

/** An event's count time and what it was derived from. */
export interface CountTime {
  /** The time the event counts at, and sessions match at (ms). */
  t: number;
  /**
   * The boot whose anchor `t` depends on: `t` is derived again when that anchor improves. Null when
   * `t` is `occurredAt` as stamped, which never changes.
   */
  boot: string | null;
  /** The anchor base `t` was derived with; null while the boot has no anchor (`t` is `occurredAt`). */
  base: number | null;
  /** The wall clock reading an offset was taken from, when one was. */
  wallBase: number | null;
}

/**
 * The time an event counts at, for counts and sessions alike; the store computes it once, when it
 * stores the event. The event's boot is its own `bootId`, else the envelope's (an event without one
 * was stamped in the boot that sent it).
 * - `clockSynced: false` (stamped before NTP): with `uptimeMs`, the anchor's ingest time at that
 *   uptime: the monotonic clock links the stamp to the anchor even if the wall clock was stepped
 *   between stamping and sending. Without `uptimeMs` nothing links the stamp to the monotonic
 *   clock, so `occurredAt` is corrected by the offset of the same boot's wall clock as read at
 *   sending, the nearest reading there is; that is right unless the clock was stepped in between.
 * - Otherwise (synced, or the gateway cannot tell), with `uptimeMs`: the stamp is compared with the
 *   anchor's time at its uptime. Within `syncedThresholdMs` (or the monotonic clock's possible drift
 *   since the anchor, if larger) the clock was right when it stamped: `occurredAt`, even if it was
 *   stepped later. Else, if the clock was off by the same amount when the boot last sent,
 *   `occurredAt − offset`; else it was stepped between stamping and sending: the anchor's time.
 * - Otherwise, without `uptimeMs`: `occurredAt`, unless the boot's wall clock is off by more than
 *   `syncedThresholdMs`; then `occurredAt − offset`. Below the threshold the offset is mostly
 *   transit delay, which must not move a correct clock's stamps.
 * - A boot without an anchor yet: `occurredAt`.
 */
/**
 * How far a gateway's monotonic clock may drift from true time per ms of uptime: quartz is within
 * ±50 ppm, so 200 ppm leaves room before a right stamp is taken for a stepped one.
 */
const MONOTONIC_DRIFT = 200e-6;

export function countTime(
  event: LotwatchEvent,
  clock: ClockContext,
  /** `occurredAt` in ms, when the caller parsed it already. */
  stamped = Date.parse(event.occurredAt),
): CountTime {
  const unsynced = event.clockSynced === false;
  const boot = event.bootId ?? clock.envelopeBoot;
  if (boot === null) return { t: stamped, boot: null, base: null, wallBase: null };
  const anchor = clock.anchor(boot);
  if (anchor === null) {
    // An unsynced stamp waits for its boot's anchor, should an envelope of that boot still come.
    return { t: stamped, boot: unsynced ? boot : null, base: null, wallBase: null };
  }
  if (unsynced && event.uptimeMs !== undefined) {
    return { t: ingestTimeAt(anchor, event.uptimeMs), boot, base: anchor.base, wallBase: null };
  }
  const wallBase = clock.wallBase(boot) ?? wallBaseOf(anchor.latestSentAt, anchor.latestUptimeMs);
  const offset = wallOffset(anchor, wallBase);
  if (event.uptimeMs !== undefined) {
    // The monotonic clock tells what the wall clock read when this was stamped, even if it was
    // stepped between stamping and sending (a backlog sent after an NTP step).
    const linked = ingestTimeAt(anchor, event.uptimeMs);
    const stampOffset = stamped - linked;
    const allowance = Math.max(
      clock.syncedThresholdMs,
      MONOTONIC_DRIFT * Math.abs(event.uptimeMs - anchor.bestUptimeMs),
    );
    if (Math.abs(stampOffset) <= allowance) return { t: stamped, boot: null, base: null, wallBase: null };
    // Off by what the clock was still off by at sending: that reading is the more exact one.
    if (Math.abs(stampOffset - offset) <= allowance)
      return { t: stamped - offset, boot, base: anchor.base, wallBase };
    return { t: linked, boot, base: anchor.base, wallBase: null };
  }
  if (!unsynced && Math.abs(offset) <= clock.syncedThresholdMs) {
    return { t: stamped, boot: null, base: null, wallBase: null };
  }
  return { t: stamped - offset, boot, base: anchor.base, wallBase };
}
