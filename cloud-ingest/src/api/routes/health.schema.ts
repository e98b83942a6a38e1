import { z } from "zod";
import { defineRoute } from "../openapi/route-spec.js";

export const healthRoute = defineRoute({
  method: "get",
  path: "/healthz",
  operationId: "getHealth",
  summary: "The process answers",
  tag: "operations",
  access: "public",
  response: {
    description: "alive",
    contentType: "application/json",
    schema: z.object({ ok: z.literal(true) }),
  },
  errors: [],
});

export const readyRoute = defineRoute({
  method: "get",
  path: "/readyz",
  operationId: "getReadiness",
  summary: "The broker and the REST API listen and the store is open",
  tag: "operations",
  access: "public",
  response: {
    description: "ready to take traffic",
    contentType: "application/json",
    schema: z.object({ ready: z.literal(true) }),
  },
  errors: [{ status: 503, codes: ["not_ready"], description: "starting or shutting down" }],
});
