import { Hono } from "hono";
import type { Registry } from "prom-client";
import { createLogger, type Logger } from "../logging/create-logger.js";
import type { Store } from "../store/store.js";
import type { TopologyIndex } from "../topology/topology-index.js";
import { errorBody } from "./errors.js";
import { createErrorHandler } from "./on-error.js";
import { createGatewayRoutes } from "./routes/gateways.js";
import { createHealthRoutes } from "./routes/health.js";
import { createMetricsRoutes } from "./routes/metrics.js";
import { createRejectedRoutes } from "./routes/rejected.js";
import { createSessionRoutes } from "./routes/sessions.js";
import { createSiteRoutes } from "./routes/sites.js";
import { createSlotRoutes } from "./routes/slots.js";
import { createSpaceRoutes } from "./routes/spaces.js";
import { createStreamRoutes } from "./routes/stream.js";

export interface AppOptions {
  store: Store;
  topology: TopologyIndex;
  isReady?: () => boolean;
  /** Served at `GET /metrics` (see src/metrics/); without it there is no /metrics route. */
  metrics?: Registry;
  now?: () => number;
  /** Heartbeat period of the count event stream. Default 15 s. */
  streamHeartbeatMs?: number;
  logger?: Logger;
}

/** The REST API of DESIGN.md ("REST API v1"), the parts this ingest implements so far. */
export function createApp(options: AppOptions): Hono {
  const { store, topology } = options;
  const logger = options.logger ?? createLogger("api");
  const app = new Hono();
  app.route("/", createHealthRoutes({ isReady: options.isReady ?? (() => true) }));
  if (options.metrics) app.route("/", createMetricsRoutes({ registry: options.metrics }));
  app.route("/v1/sites", createSiteRoutes({ store, topology }));
  app.route("/v1/sites/:site/spaces", createSpaceRoutes({ store, topology, now: options.now ?? Date.now }));
  app.route("/v1/sites/:site/sessions", createSessionRoutes({ store, topology }));
  app.route("/v1/sites/:site/slots", createSlotRoutes({ store, topology }));
  app.route(
    "/v1/sites/:site/events",
    createStreamRoutes({ store, topology, now: options.now, heartbeatMs: options.streamHeartbeatMs }),
  );
  app.route("/v1/gateways", createGatewayRoutes({ store }));
  app.route("/v1/rejected", createRejectedRoutes({ store }));
  app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError(createErrorHandler(logger));
  return app;
}
