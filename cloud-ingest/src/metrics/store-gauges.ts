import { Gauge, type Registry } from "prom-client";
import type { GatewayRecord, Store } from "../store/store.js";

export interface StoreGaugesOptions {
  store: Store;
  registry: Registry;
  prefix: string;
}

/**
 * Gauges read from the store at scrape time, so they are right after a restart and never drift
 * from what the API answers: each gateway's backlog and clock offset, and sessions by status.
 */
export function registerStoreGauges(options: StoreGaugesOptions): void {
  const { store, registry, prefix } = options;
  const registers = [registry];
  // One listGateways per scrape feeds all gateway gauges; each gauge's collect awaits the same read.
  let gatewaysRead: Promise<GatewayRecord[]> | undefined;
  const readGateways = () => {
    gatewaysRead ??= store.listGateways().finally(() => {
      gatewaysRead = undefined;
    });
    return gatewaysRead;
  };

  new Gauge({
    name: `${prefix}gateway_backlog`,
    help: "Events waiting in the gateway's buffer, as its last status reported",
    labelNames: ["gateway", "site"],
    registers,
    async collect() {
      this.reset();
      for (const gateway of await readGateways()) {
        if (gateway.backlog !== null) this.set(labels(gateway), gateway.backlog);
      }
    },
  });
  new Gauge({
    name: `${prefix}gateway_clock_offset_seconds`,
    help: "Measured clock offset of the gateway (gateway minus ingest); absent until measured",
    labelNames: ["gateway", "site"],
    registers,
    async collect() {
      this.reset();
      for (const gateway of await readGateways()) {
        const offset = gateway.clockOffsetMs;
        if (offset !== null) this.set(labels(gateway), offset / 1000);
      }
    },
  });
  new Gauge({
    name: `${prefix}gateway_online`,
    help: "1 when the gateway's last status (or Last Will) said online, 0 when offline",
    labelNames: ["gateway", "site"],
    registers,
    async collect() {
      this.reset();
      for (const gateway of await readGateways()) {
        if (gateway.online !== null) this.set(labels(gateway), gateway.online ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: `${prefix}sessions`,
    help: "Parking sessions by site and status (open, closed, unmatched)",
    labelNames: ["site", "status"],
    registers,
    async collect() {
      this.reset();
      for (const row of await store.sessionsByStatus()) {
        this.set({ site: row.site, status: row.status }, row.count);
      }
    },
  });
}

function labels(gateway: GatewayRecord) {
  return { gateway: gateway.id, site: gateway.site ?? "" };
}
