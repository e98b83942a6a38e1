import { Hono } from "hono";
import type { Registry } from "prom-client";
import type { ApiKeyVerifier } from "../api-keys/key-verifier.js";
import { createDashboardRoutes } from "../dashboard/dashboard-routes.js";
import { createForecaster, type Forecaster } from "../forecast/forecaster.js";
import { createLogger, type Logger } from "../logging/create-logger.js";
import type { Store } from "../store/store.js";
import type { TopologyIndex } from "../topology/topology-index.js";
import { requireApiKey } from "./auth/require-api-key.js";
import { errorBody } from "./errors.js";
import { createErrorHandler } from "./on-error.js";
import { buildOpenApiDocument } from "./openapi/build-document.js";
import type { RouteSpec } from "./openapi/route-spec.js";
import { ROUTE_CATALOG } from "./route-catalog.js";
import { createForecastRoutes } from "./routes/forecast.js";
import { createGapRoutes } from "./routes/gaps.js";
import { createGatewayRoutes } from "./routes/gateways.js";
import { createHealthRoutes } from "./routes/health.js";
import { createMetricsRoutes } from "./routes/metrics.js";
import { createOpenApiRoutes } from "./routes/openapi.js";
import { createRejectedRoutes } from "./routes/rejected.js";
import { createSessionRoutes } from "./routes/sessions.js";
import { createSiteRoutes } from "./routes/sites.js";
import { createSlotRoutes } from "./routes/slots.js";
import { createSpaceRoutes } from "./routes/spaces.js";
import { createStreamRoutes } from "./routes/stream.js";
import { STREAM_TOKEN_PARAM } from "./routes/stream.schema.js";

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
  /** When set, `/v1/*` needs `Authorization: Bearer KEY`, and `/metrics` a key unless from loopback. */
  apiKeys?: ApiKeyVerifier;
  /** Answers `GET /v1/sites/{site}/forecast`; default: one trained from the store's count history. */
  forecaster?: Forecaster;
}

const INFO = {
  title: "lotwatch ingest",
  version: "1",
  description: "Counts, sessions and gateways of the lotwatch cloud ingest (DESIGN.md, REST API v1).",
};

const STREAM_PATH = /^\/v1\/sites\/[^/]+\/events\/stream$/;

/** The catalog's routes that this app mounts (`/metrics` only with a registry). */
function mountedRoutes(app: Hono): RouteSpec[] {
  const mounted = new Set(app.routes.map((route) => `${route.method} ${route.path}`));
  return ROUTE_CATALOG.filter((spec) => mounted.has(`${spec.method.toUpperCase()} ${spec.path}`));
}

/** The REST API of DESIGN.md ("REST API v1"), the parts this ingest implements so far. */
export function createApp(options: AppOptions): Hono {
  const { store, topology } = options;
  const logger = options.logger ?? createLogger("api");
  const app = new Hono();
  if (options.apiKeys) {
    const verifier = options.apiKeys;
    const queryToken = { param: STREAM_TOKEN_PARAM, path: STREAM_PATH };
    app.use("/v1/*", requireApiKey({ verifier, queryToken }));
    app.use("/metrics", requireApiKey({ verifier, allowLoopback: true }));
  }
  app.route("/", createHealthRoutes({ isReady: options.isReady ?? (() => true) }));
  if (options.metrics) app.route("/", createMetricsRoutes({ registry: options.metrics }));
  app.route("/v1/sites", createSiteRoutes({ store, topology }));
  app.route("/v1/sites/:site/spaces", createSpaceRoutes({ store, topology, now: options.now ?? Date.now }));
  const forecaster =
    options.forecaster ??
    createForecaster({
      now: options.now,
      history: async (site, space, times) => (await store.countsAt(site, space, times)).map((r) => r.count),
    });
  app.route("/v1/sites/:site/forecast", createForecastRoutes({ forecaster, topology }));
  app.route("/v1/sites/:site/sessions", createSessionRoutes({ store, topology }));
  app.route("/v1/sites/:site/slots", createSlotRoutes({ store, topology }));
  app.route(
    "/v1/sites/:site/events",
    createStreamRoutes({ store, topology, now: options.now, heartbeatMs: options.streamHeartbeatMs }),
  );
  app.route("/v1/gateways", createGatewayRoutes({ store }));
  app.route("/v1/gateways/:gateway/gaps", createGapRoutes({ store }));
  app.route("/v1/rejected", createRejectedRoutes({ store }));
  app.route("/", createDashboardRoutes());
  app.route("/", createOpenApiRoutes({ document: () => buildOpenApiDocument(mountedRoutes(app), INFO) }));
  app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError(createErrorHandler(logger));
  return app;
}
