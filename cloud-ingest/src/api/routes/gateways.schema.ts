import { z } from "zod";
import { defineRoute } from "../openapi/route-spec.js";

const time = z.iso.datetime();

/**
 * A gateway as `GET /v1/gateways` lists it. Loose: the registry (routes/gateways.ts) may add
 * fields before this schema names them.
 */
export const GatewayViewSchema = z.looseObject({
  id: z.string(),
  site: z.string().nullable(),
  online: z.boolean().nullable().describe("from the latest status or Last Will; null before the first"),
  lastSeen: time.describe("last time the ingest received anything from the gateway"),
  statusAt: time.nullable(),
  version: z.string().nullable().describe("agent version"),
  bootId: z.string().nullable(),
  uptimeMs: z.number().nonnegative().nullable(),
  backlog: z.int().nonnegative().nullable().describe("buffered events at the gateway, from its last status"),
  oldestPendingAt: time.nullable(),
  dropped: z.int().nonnegative().nullable(),
  clockOffsetMs: z.number().nullable().optional().describe("measured offset of the gateway's clock"),
  clockMeasuredAt: time.nullable().optional().describe("when the offset was measured"),
  events: z.int().nonnegative(),
  duplicates: z.int().nonnegative(),
  unknownSource: z.int().nonnegative(),
  rejected: z.int().nonnegative(),
});

export const gatewaysRoute = defineRoute({
  method: "get",
  path: "/v1/gateways",
  operationId: "listGateways",
  summary: "Gateways: online, last seen, backlog, clock offset, agent version, what was received",
  tag: "operations",
  access: "api-key",
  query: z.strictObject({}),
  response: {
    description: "every gateway the ingest has heard from",
    contentType: "application/json",
    schema: z.object({ gateways: z.array(GatewayViewSchema) }),
  },
  errors: [],
});
