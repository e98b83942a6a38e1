import type { InputObserver, MalformedReason, PollResult } from "../inputs/input.js";

export interface RecordingObserver extends InputObserver {
  malformedCounts: Partial<Record<MalformedReason, number>>;
  up: boolean;
  outages: number;
  opens: number;
  /** Poll results per sensor, e.g. `{ "unit-1": { ok: 3, timeout: 1 } }`. */
  polls: Record<string, Partial<Record<PollResult, number>>>;
  /** Online changes per sensor, in order. */
  online: Record<string, boolean[]>;
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
    polls: {},
    online: {},
    sensorPolled(sensor, result) {
      const counts = observer.polls[sensor] ?? {};
      counts[result] = (counts[result] ?? 0) + 1;
      observer.polls[sensor] = counts;
    },
    sensorOnline(sensor, online) {
      observer.online[sensor] = [...(observer.online[sensor] ?? []), online];
    },
  };
  return observer;
}
