import { Hono } from "hono";
import type { GatewayRecord, Store } from "../../store/store.js";
import { validate } from "../validation/validate.js";
import { gatewaysRoute } from "./gateways.schema.js";

export interface GatewayRoutesOptions {
  store: Store;
}

/** `GET /v1/gateways`: each gateway's last status and what the ingest received from it. */
export function createGatewayRoutes(options: GatewayRoutesOptions): Hono {
  return new Hono().get("/", validate("query", gatewaysRoute.query), async (c) => {
    const gateways = await options.store.listGateways();
    return c.json({ gateways: gateways.map(toView) });
  });
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toView(gateway: GatewayRecord) {
  return {
    ...gateway,
    lastSeen: iso(gateway.lastSeen),
    statusAt: iso(gateway.statusAt),
    oldestPendingAt: iso(gateway.oldestPendingAt),
    clockMeasuredAt: iso(gateway.clockMeasuredAt),
  };
}
