import { Hono } from "hono";
import type { Registry } from "prom-client";

export interface MetricsRoutesOptions {
  registry: Registry;
}

/** `GET /metrics`: the ingest's Prometheus metrics in the text exposition format. */
export function createMetricsRoutes(options: MetricsRoutesOptions): Hono {
  const { registry } = options;
  return new Hono().get("/metrics", async (c) => {
    const body = await registry.metrics();
    return c.body(body, 200, { "Content-Type": registry.contentType });
  });
}
