import type { Reading } from "@lotwatch/protocol/events.js";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createRecordingObserver } from "../../test-support/recording-observer.js";
import { createLineReader } from "./line-reader.js";

function setup(logLimitPerMinute = 20) {
  const batches: Reading[][] = [];
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  let clock = 0;
  const observer = createRecordingObserver();
  const reader = createLineReader({
    source: "/dev/ttyX",
    format: { format: "jsonl" },
    maxLineLength: 64,
    sink: async (readings) => void batches.push(readings),
    logger,
    observer,
    logLimitPerMinute,
    now: () => clock,
  });
  return { reader, batches, logs, observer, advance: (ms: number) => (clock += ms) };
}

const door = '{"type":"door.crossing","door":"d1","direction":1}\n';

describe("createLineReader", () => {
  it("hands all readings of one chunk to the sink in one call", () => {
    const { reader, batches } = setup();
    reader.push(Buffer.from(door + door + door));
    reader.push(Buffer.from(door));
    expect(batches.map((batch) => batch.length)).toEqual([3, 1]);
  });

  it("logs a malformed line with its source, line number and reason", () => {
    const { reader, logs, observer } = setup();
    reader.push(Buffer.from(`${door}{oops\n`));
    expect(observer.malformedCounts).toEqual({ json: 1 });
    expect(logs).toEqual([
      expect.objectContaining({
        source: "/dev/ttyX",
        line: 2,
        reason: "json",
        msg: "malformed line skipped",
      }),
    ]);
  });

  it("stops logging past the per-minute limit but keeps counting, then reports what it skipped", () => {
    const { reader, logs, observer, advance } = setup(2);
    reader.push(Buffer.from("x\n".repeat(5)));
    expect(observer.malformedCounts).toEqual({ json: 5 });
    expect(logs).toHaveLength(2);
    advance(60_000);
    reader.push(Buffer.from("x\n"));
    expect(logs.map((log) => log.msg)).toEqual([
      "malformed line skipped",
      "malformed line skipped",
      "more malformed lines were skipped without a log line",
      "malformed line skipped",
    ]);
    expect(logs[2]).toMatchObject({ suppressed: 3 });
  });
});
