import { ReadingSchema } from "@lotwatch/protocol/events.js";
import { describe, expect, it } from "vitest";
import type { AnprReading } from "./anpr-reading.js";
import { formatReading } from "./line-format.js";

const reading: AnprReading = {
  type: "vehicle.entry",
  lane: "entry-1",
  plate: "KA01AB1234",
  confidence: 0.93,
  occurredAt: "2026-11-22T09:59:58.010Z",
};

describe("formatReading", () => {
  it("writes jsonl as a wire-protocol reading", () => {
    const line = formatReading(reading, "jsonl");
    expect(ReadingSchema.parse(JSON.parse(line))).toEqual(reading);
  });

  it("writes delimited as type;lane;plate;confidence;occurredAt", () => {
    expect(formatReading(reading, "delimited")).toBe(
      "vehicle.entry;entry-1;KA01AB1234;0.93;2026-11-22T09:59:58.010Z",
    );
  });
});
