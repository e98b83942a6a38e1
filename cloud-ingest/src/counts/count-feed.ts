import type { CountSource } from "./count-sources.js";

/** A space whose current count changed in a committed batch. */
export interface CountChange {
  site: string;
  space: string;
  source: CountSource;
  count: number;
  rawCount: number;
  clamped: boolean;
  capacity: number | null;
  free: number | null;
  /** When the change was committed (ISO-8601). */
  at: string;
}

export type CountListener = (changes: readonly CountChange[]) => void;

export interface CountFeed {
  /** Calls every listener; a throwing listener is reported to `onError` and does not stop the others. */
  publish(changes: readonly CountChange[]): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: CountListener): () => void;
}

/** In-process fan-out of count changes, fed after each commit. */
export function createCountFeed(onError: (error: unknown) => void = () => {}): CountFeed {
  const listeners = new Set<CountListener>();
  return {
    publish(changes) {
      if (changes.length === 0) return;
      for (const listener of listeners) {
        try {
          listener(changes);
        } catch (error) {
          onError(error);
        }
      }
    },
    subscribe(listener) {
      // A wrapper, so the same function subscribed twice is two subscriptions.
      const entry: CountListener = (changes) => listener(changes);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };
}
