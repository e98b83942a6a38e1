import { EventSchema, type GatewayGap, type LotwatchEvent } from "@lotwatch/protocol/events.js";
import { expect } from "vitest";
import type { EventBuffer } from "../buffer/types.js";

/** Every pending event, parsed and checked against the wire schema. */
export function pendingEvents(buffer: EventBuffer): LotwatchEvent[] {
  return buffer
    .peek(0, 10_000_000, Number.MAX_SAFE_INTEGER)
    .map((row) => EventSchema.parse(JSON.parse(row.json)));
}

export function seqsOf(ranges: ReadonlyArray<{ fromSeq: number; toSeq: number }>): number[] {
  return ranges.flatMap((range) =>
    Array.from({ length: range.toSeq - range.fromSeq + 1 }, (_, i) => range.fromSeq + i),
  );
}

/**
 * The cap policy's bookkeeping must be exact: every accepted seq is still pending, was acked, or
 * is named by exactly one gap event, and the dropped ones are the oldest.
 */
export function expectGapsNameExactlyTheDropped(
  buffer: EventBuffer,
  acceptedSeqs: number[],
  ackedSeqs: ReadonlySet<number>,
) {
  const events = pendingEvents(buffer);
  const gaps = events.filter((event): event is GatewayGap => event.type === "gateway.gap");
  const pendingReadings = new Set(events.filter((event) => event.type !== "gateway.gap").map((e) => e.seq));
  const dropped = acceptedSeqs.filter((seq) => !pendingReadings.has(seq) && !ackedSeqs.has(seq));
  const named = seqsOf(gaps).sort((a, b) => a - b);
  expect(named).toEqual(dropped);
  if (dropped.length > 0 && pendingReadings.size > 0) {
    expect(Math.max(...dropped)).toBeLessThan(Math.min(...pendingReadings));
  }
  return { gaps, dropped, events };
}
