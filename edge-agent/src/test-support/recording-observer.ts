import type { InputObserver, MalformedReason } from "../inputs/input.js";

export interface RecordingObserver extends InputObserver {
  malformedCounts: Partial<Record<MalformedReason, number>>;
  up: boolean;
  outages: number;
  opens: number;
}

/** An InputObserver that remembers what it was told, for assertions. */
export function createRecordingObserver(): RecordingObserver {
  const observer: RecordingObserver = {
    malformedCounts: {},
    up: false,
    outages: 0,
    opens: 0,
    malformed(reason) {
      observer.malformedCounts[reason] = (observer.malformedCounts[reason] ?? 0) + 1;
    },
    connected(up) {
      if (up) observer.opens++;
      observer.up = up;
    },
    outage() {
      observer.outages++;
    },
  };
  return observer;
}
