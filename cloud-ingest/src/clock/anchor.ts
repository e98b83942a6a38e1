/** What an envelope's header says about its sender's clocks at the moment it was sent. */
export interface EnvelopeClock {
  bootId: string;
  /** `sentAt`: the gateway's wall clock (ms), which NTP or fake-hwclock may step. */
  sentAt: number;
  /** The gateway's monotonic uptime in this boot (ms), which nothing steps. */
  uptimeMs: number;
}

/**
 * One boot's clock anchor, folded from every envelope sent in that boot. For an envelope received at
 * R (ingest clock) and sent at uptime U, `R − U` is the ingest time of the boot's uptime 0 plus that
 * envelope's transit delay; `base`, the smallest `R − U` seen, is the estimate with the least delay,
 * so ingest time at uptime U is `base + U`. A queued or resent envelope only has a larger `R − U`
 * and changes nothing.
 */
export interface ClockAnchor {
  bootId: string;
  /** Ingest time (ms) at uptime 0 of the boot, plus the least transit delay seen. */
  base: number;
  /** The envelope that gave `base`: when it was received and its uptime. */
  bestReceivedAt: number;
  bestUptimeMs: number;
  /** The envelope with the largest uptime: the wall clock's latest reading in this boot. */
  latestSentAt: number;
  latestUptimeMs: number;
  /** When the ingest last received an envelope of this boot (ms). */
  lastReceivedAt: number;
  envelopes: number;
}

export interface AnchorUpdate {
  anchor: ClockAnchor;
  /** How much earlier `base` moved (ms): 0 when unchanged, Infinity for a boot seen first. */
  improvedByMs: number;
}

/** Folds one received envelope into its boot's anchor (null for a boot not seen before). */
export function observeEnvelope(
  anchor: ClockAnchor | null,
  clock: EnvelopeClock,
  receivedAt: number,
): AnchorUpdate {
  const candidate = receivedAt - clock.uptimeMs;
  if (anchor === null) {
    return {
      anchor: {
        bootId: clock.bootId,
        base: candidate,
        bestReceivedAt: receivedAt,
        bestUptimeMs: clock.uptimeMs,
        latestSentAt: clock.sentAt,
        latestUptimeMs: clock.uptimeMs,
        lastReceivedAt: receivedAt,
        envelopes: 1,
      },
      improvedByMs: Number.POSITIVE_INFINITY,
    };
  }
  // Ties keep the earlier envelope, so the anchor does not depend on arrival order.
  const better =
    candidate < anchor.base || (candidate === anchor.base && clock.uptimeMs < anchor.bestUptimeMs);
  const later =
    clock.uptimeMs > anchor.latestUptimeMs ||
    (clock.uptimeMs === anchor.latestUptimeMs && clock.sentAt < anchor.latestSentAt);
  return {
    anchor: {
      ...anchor,
      ...(better ? { base: candidate, bestReceivedAt: receivedAt, bestUptimeMs: clock.uptimeMs } : {}),
      ...(later ? { latestSentAt: clock.sentAt, latestUptimeMs: clock.uptimeMs } : {}),
      lastReceivedAt: Math.max(anchor.lastReceivedAt, receivedAt),
      envelopes: anchor.envelopes + 1,
    },
    improvedByMs: better ? anchor.base - candidate : 0,
  };
}

/** The ingest time at a given uptime of the anchor's boot. */
export function ingestTimeAt(anchor: ClockAnchor, uptimeMs: number): number {
  return anchor.base + uptimeMs;
}

/**
 * A wall clock reading as the wall time of uptime 0 (`sentAt − uptimeMs`); readings of one boot
 * agree until the clock is stepped.
 */
export function wallBaseOf(sentAt: number, uptimeMs: number): number {
  return sentAt - uptimeMs;
}

/**
 * The offset (ms, gateway wall clock minus ingest time; positive = the gateway is ahead) of a wall
 * clock reading taken in the anchor's boot. It includes the least transit delay with the opposite
 * sign: a correct clock behind a link of 300 ms shows about −300 ms.
 */
export function wallOffset(anchor: ClockAnchor, wallBase: number): number {
  return wallBase - anchor.base;
}

/** The boot's clock offset as of its latest envelope: what `/v1/gateways` reports. */
export function latestOffset(anchor: ClockAnchor): number {
  return wallOffset(anchor, wallBaseOf(anchor.latestSentAt, anchor.latestUptimeMs));
}
