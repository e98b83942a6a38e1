import type { AnprReading } from "./anpr-reading.js";

export const LINE_FORMATS = ["jsonl", "delimited"] as const;
export type LineFormat = (typeof LINE_FORMATS)[number];

/** One read as the camera sends it, without the newline. */
export function formatReading(reading: AnprReading, format: LineFormat): string {
  if (format === "jsonl") return JSON.stringify(reading);
  return [reading.type, reading.lane, reading.plate, reading.confidence, reading.occurredAt].join(";");
}
