import type { GatewayGap, LotwatchEvent } from "@lotwatch/protocol/events.js";
import { Counter, type Registry } from "prom-client";
import type { InsertResult, Store } from "../store/store.js";
import { gapSize } from "./gap-report.js";

export const LOST_EVENTS_METRIC = "lotwatch_ingest_lost_events_total";

/** Called with the batch's result once it committed. */
export type AfterInsert = (result: InsertResult) => void;

export interface LostEventsMeter {
  /**
   * Before a batch is stored: notes which of its gap events the store already holds, so that
   * only a gap event stored for the first time counts its seqs (a resend counts nothing).
   */
  beforeInsert(gateway: string, events: readonly LotwatchEvent[]): Promise<AfterInsert>;
}

const nothing: AfterInsert = () => {};

/**
 * `lotwatch_ingest_lost_events_total{gateway,reason}`: seqs the gateways reported dropping
 * (`gateway.gap` events). One counter per registry, however many stores are metered into it.
 */
export function createLostEventsMeter(store: Store, registry: Registry): LostEventsMeter {
  const counter =
    (registry.getSingleMetric(LOST_EVENTS_METRIC) as Counter<"gateway" | "reason"> | undefined) ??
    new Counter({
      name: LOST_EVENTS_METRIC,
      help: "Events the gateways dropped and reported with gateway.gap events (GET /v1/gateways/{gateway}/gaps)",
      labelNames: ["gateway", "reason"],
      registers: [registry],
    });
  return {
    async beforeInsert(gateway, events) {
      const gaps = events.filter((event): event is GatewayGap => event.type === "gateway.gap");
      if (gaps.length === 0) return nothing;
      const stored = new Set<number>();
      for (const gap of gaps) if ((await store.getEvent(gateway, gap.seq)) !== null) stored.add(gap.seq);
      return (result) => {
        // A batch without duplicates stored every gap event now, whatever was seen before it.
        for (const gap of gaps) {
          if (result.inserted === 0 || (result.duplicates > 0 && stored.has(gap.seq))) continue;
          counter.inc({ gateway, reason: gap.reason }, gapSize(gap));
        }
      };
    },
  };
}
