import { describe, expect, it } from "vitest";
import {
  type ClockAnchor,
  type EnvelopeClock,
  ingestTimeAt,
  latestOffset,
  observeEnvelope,
  wallBaseOf,
  wallOffset,
} from "./anchor.js";

const H = 3_600_000;
/** The boot started at ingest time 1,000,000; the gateway's wall clock is 3 h behind. */
const BOOT_AT = 1_000_000;
const send = (uptimeMs: number, transitMs: number, wallError = -3 * H) => ({
  clock: { bootId: "boot-1", sentAt: BOOT_AT + uptimeMs + wallError, uptimeMs } satisfies EnvelopeClock,
  receivedAt: BOOT_AT + uptimeMs + transitMs,
});

const fold = (envelopes: ReturnType<typeof send>[]) => {
  let anchor: ClockAnchor | null = null;
  const improvements: number[] = [];
  for (const { clock, receivedAt } of envelopes) {
    const update = observeEnvelope(anchor, clock, receivedAt);
    anchor = update.anchor;
    improvements.push(update.improvedByMs);
  }
  if (anchor === null) throw new Error("no envelopes");
  return { anchor, improvements };
};

describe("per-boot clock anchor", () => {
  it("keeps the envelope with the least transit delay", () => {
    const { anchor, improvements } = fold([send(1000, 500), send(2000, 100), send(3000, 400)]);
    expect(anchor.base).toBe(BOOT_AT + 100);
    expect(anchor).toMatchObject({ bestReceivedAt: BOOT_AT + 2100, bestUptimeMs: 2000, envelopes: 3 });
    expect(improvements).toEqual([Number.POSITIVE_INFINITY, 400, 0]);
  });

  it("gives the ingest time at any uptime of the boot, off by the least delay only", () => {
    const { anchor } = fold([send(1000, 500), send(2000, 100)]);
    expect(ingestTimeAt(anchor, 50_000)).toBe(BOOT_AT + 50_000 + 100);
  });

  it("is not fooled by a queued or resent envelope", () => {
    const { anchor } = fold([send(1000, 80), send(2000, 6 * H), send(1000, 2 * H)]);
    expect(anchor.base).toBe(BOOT_AT + 80);
    expect(latestOffset(anchor)).toBe(-3 * H - 80);
  });

  it("measures the wall clock's offset against the anchor, not against each envelope's arrival", () => {
    // Transit jitter moves each envelope's sentAt − receivedAt, but not the offset measured.
    const { anchor } = fold([send(1000, 40), send(2000, 900), send(3000, 300)]);
    expect(wallOffset(anchor, wallBaseOf(BOOT_AT + 2000 - 3 * H, 2000))).toBe(-3 * H - 40);
    expect(latestOffset(anchor)).toBe(-3 * H - 40);
  });

  it("reports the latest wall reading, so an NTP step shows at once", () => {
    const { anchor } = fold([send(1000, 40), send(60_000, 300, 0)]);
    expect(latestOffset(anchor)).toBe(-40);
  });

  it("gives the same anchor whatever order the envelopes arrive in", () => {
    const envelopes = [send(1000, 500), send(2000, 100), send(3000, 400), send(3000, 100, 5)];
    const expected = fold(envelopes).anchor;
    for (const order of [
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ]) {
      const shuffled = order.map((i) => envelopes[i] as ReturnType<typeof send>);
      expect(fold(shuffled).anchor).toEqual(expected);
    }
  });
});
