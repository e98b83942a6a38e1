import { Hono } from "hono";
import type { Registry } from "prom-client";
import type { Logger } from "../common/logger.js";
import type { PushEndpoints } from "../inputs/camera-http/push-endpoints.js";
import { type CountsAnswer, countsRoutes } from "./routes/counts.js";
import { healthRoutes } from "./routes/health.js";
import { laneReadsRoutes } from "./routes/lane-reads.js";
import { metricsRoutes } from "./routes/metrics.js";
import { type AgentStatus, statusRoutes } from "./routes/status.js";

export interface ApiAppOptions {
  status: () => AgentStatus;
  counts: () => CountsAnswer;
  registry: Registry;
  logger: Logger;
  /** Camera-http inputs registered here are served at `POST /v1/lanes/{lane}/reads`. */
  pushEndpoints?: PushEndpoints;
}

/** The agent's local HTTP API: health, status, local counts and metrics, served on the gateway. */
export function createApiApp(options: ApiAppOptions): Hono {
  const app = new Hono();
  app.route("/", healthRoutes());
  app.route("/", statusRoutes(options.status));
  app.route("/", countsRoutes(options.counts));
  app.route("/", metricsRoutes(options.registry));
  if (options.pushEndpoints !== undefined)
    app.route("/", laneReadsRoutes(options.pushEndpoints, options.logger));
  app.notFound((c) =>
    c.json({ error: { code: "NOT_FOUND", message: `no route for ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((error, c) => {
    options.logger.error({ err: error, path: c.req.path }, "request failed");
    return c.json({ error: { code: "INTERNAL", message: "the agent could not answer; see its log" } }, 500);
  });
  return app;
}
