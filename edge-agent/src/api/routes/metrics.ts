import { Hono } from "hono";
import type { Registry } from "prom-client";

/** `GET /metrics`: the agent's registry in the Prometheus text format. */
export function metricsRoutes(registry: Registry): Hono {
  return new Hono().get("/metrics", async (c) => {
    const body = await registry.metrics();
    return c.body(body, 200, { "content-type": registry.contentType });
  });
}
