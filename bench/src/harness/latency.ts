import hdr from "hdr-histogram-js";

/** Latencies in microseconds in an HDR histogram (3 significant digits), read back in ms. */
export interface LatencyRecorder {
  record(microseconds: number): void;
  count(): number;
  /** The latency at percentile p (0..100), in milliseconds. */
  percentileMs(p: number): number;
  maxMs(): number;
}

export function createLatencyRecorder(): LatencyRecorder {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  return {
    record: (microseconds) => histogram.recordValue(Math.max(1, Math.round(microseconds))),
    count: () => histogram.totalCount,
    percentileMs: (p) => histogram.getValueAtPercentile(p) / 1000,
    maxMs: () => histogram.maxValue / 1000,
  };
}

/** Microseconds on the monotonic clock, which every process on the machine shares (Linux). */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function elapsedSeconds(startMicros: number): number {
  return (nowMicros() - startMicros) / 1e6;
}
