import { createLostEventsMeter } from "../gaps/lost-events-meter.js";
import type { Store } from "../store/store.js";
import type { IngestMetrics } from "./ingest-metrics.js";

/**
 * The store as the message handler should see it: the same object, but every write is measured
 * (commit duration, events, duplicates, rejections, end-to-end latency) after it committed. Reads
 * and any method added later pass through untouched.
 */
export function createMeteredStore(store: Store, metrics: IngestMetrics): Store {
  const lostEvents = createLostEventsMeter(store, metrics.registry);
  const insertBatch: Store["insertBatch"] = async (gateway, events, receivedAt, rejected = [], envelope) => {
    const afterInsert = await lostEvents.beforeInsert(gateway, events);
    const started = process.hrtime.bigint();
    let result: Awaited<ReturnType<Store["insertBatch"]>>;
    try {
      result = await store.insertBatch(gateway, events, receivedAt, rejected, envelope);
    } catch (error) {
      metrics.observeCommitFailure();
      throw error;
    }
    metrics.observeBatch(events, result, Number(process.hrtime.bigint() - started) / 1e9);
    metrics.observeRejections(rejected);
    afterInsert(result);
    return result;
  };
  const recordRejected: Store["recordRejected"] = async (rejections, receivedAt) => {
    try {
      await store.recordRejected(rejections, receivedAt);
    } catch (error) {
      metrics.observeCommitFailure();
      throw error;
    }
    metrics.observeRejections(rejections);
  };
  const overrides: Partial<Store> = { insertBatch, recordRejected };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof Store];
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
