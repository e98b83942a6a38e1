import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { describe, expect, it } from "vitest";
import type { ClockAnchor } from "../clock/anchor.js";
import { type ClockContext, countTime } from "./count-time.js";
import { crossing, T0 } from "./test-support/count-fixtures.js";

const H = 3_600_000;
/** boot-1 started at T0 (ingest time, least delay 20 ms); its wall clock reads 3 h behind. */
const anchor = (bootId: string, base: number, wallBase: number): ClockAnchor => ({
  bootId,
  base,
  bestReceivedAt: base + 1000,
  bestUptimeMs: 1000,
  latestSentAt: wallBase + 60_000,
  latestUptimeMs: 60_000,
  lastReceivedAt: base + 60_000,
  envelopes: 2,
});
const anchors = new Map([
  ["boot-1", anchor("boot-1", T0 + 20, T0 - 3 * H)],
  ["boot-2", anchor("boot-2", T0 + 20, T0 + 20 - 300)],
]);
const clock = (overrides: Partial<ClockContext> = {}): ClockContext => ({
  envelopeBoot: "boot-1",
  anchor: (bootId) => anchors.get(bootId) ?? null,
  wallBase: () => null,
  syncedThresholdMs: 2000,
  ...overrides,
});
/** A door crossing stamped `stampedAt` (ms after T0 on the gateway's wall clock). */
const stamped = (stampedAt: number, extra: Partial<LotwatchEvent> = {}) =>
  ({ ...crossing(1, stampedAt, "main", 1), ...extra }) as LotwatchEvent;

describe("count time", () => {
  it("puts an unsynced stamp at the anchor's ingest time of its uptime", () => {
    const event = stamped(-3 * H + 5000, { clockSynced: false, uptimeMs: 5000 });
    expect(countTime(event, clock())).toEqual({
      t: T0 + 5020,
      boot: "boot-1",
      base: T0 + 20,
      wallBase: null,
    });
  });

  it("corrects an unsynced stamp without uptime by its boot's wall clock offset at sending", () => {
    const event = stamped(-3 * H + 5000, { clockSynced: false });
    const atSend = clock({ wallBase: (boot) => (boot === "boot-1" ? T0 - 3 * H : null) });
    expect(countTime(event, atSend)).toEqual({
      t: T0 + 5020,
      boot: "boot-1",
      base: T0 + 20,
      wallBase: T0 - 3 * H,
    });
  });

  it("keeps a synced stamp whose offset is within the threshold: that is transit delay", () => {
    const event = stamped(5000, { uptimeMs: 4700 });
    expect(countTime(event, clock({ envelopeBoot: "boot-2" }))).toEqual({
      t: T0 + 5000,
      boot: null,
      base: null,
      wallBase: null,
    });
  });

  it("corrects a stamp the agent did not flag when its clock is off by more than the threshold", () => {
    const event = stamped(-3 * H + 5000, { uptimeMs: 5000 });
    expect(countTime(event, clock()).t).toBe(T0 + 5020);
    expect(countTime(event, clock({ syncedThresholdMs: 4 * H })).t).toBe(T0 - 3 * H + 5000);
  });

  it("keeps a synced stamp made before its clock was stepped, though the boot sends off by 3 h", () => {
    // boot-1's wall clock read 3 h behind at sending; this was stamped right, at uptime 5000.
    const event = stamped(5000, { uptimeMs: 5000 });
    expect(countTime(event, clock())).toEqual({ t: T0 + 5000, boot: null, base: null, wallBase: null });
  });

  it("puts a stamp made off by an amount the boot no longer has at its uptime's anchor time", () => {
    // Stamped 2 h ahead, then stepped to 3 h behind before sending: only the uptime links them.
    const event = stamped(2 * H + 5000, { uptimeMs: 5000 });
    expect(countTime(event, clock())).toEqual({
      t: T0 + 5020,
      boot: "boot-1",
      base: T0 + 20,
      wallBase: null,
    });
  });

  it("allows for monotonic drift: a right stamp a day of uptime after the anchor stays as stamped", () => {
    const day = 24 * H;
    // 10 s between the stamp and the anchor's time a day on: within 200 ppm of a day (17 s).
    const event = stamped(day + 10_000, { uptimeMs: day, bootId: "boot-2" });
    expect(countTime(event, clock()).t).toBe(T0 + day + 10_000);
  });

  it("uses the anchor of the boot the event names, not the envelope's", () => {
    const event = stamped(-3 * H + 7000, { clockSynced: false, bootId: "boot-1", uptimeMs: 7000 });
    expect(countTime(event, clock({ envelopeBoot: "boot-2" })).t).toBe(T0 + 7020);
  });

  it("leaves an unsynced stamp of an unmeasured boot as stamped, waiting for its anchor", () => {
    const event = stamped(42, { clockSynced: false, bootId: "boot-0", uptimeMs: 42 });
    expect(countTime(event, clock())).toEqual({ t: T0 + 42, boot: "boot-0", base: null, wallBase: null });
  });

  it("takes occurredAt when nothing names a boot", () => {
    const event = stamped(42, { clockSynced: false, uptimeMs: 42 });
    expect(countTime(event, clock({ envelopeBoot: null })).t).toBe(T0 + 42);
  });
});
