import { z } from "zod";
import { defineRoute } from "../openapi/route-spec.js";

export const metricsRoute = defineRoute({
  method: "get",
  path: "/metrics",
  operationId: "getMetrics",
  summary: "Prometheus metrics of the ingest",
  description: "With API keys configured, open to clients on the ingest's own machine; others need a key.",
  tag: "operations",
  access: "loopback-or-api-key",
  response: {
    description: "the Prometheus text exposition format",
    contentType: "text/plain",
    schema: z.string(),
  },
  errors: [],
});
