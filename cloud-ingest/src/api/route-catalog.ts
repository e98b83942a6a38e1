import type { RouteSpec } from "./openapi/route-spec.js";
import { dashboardFileRoute, dashboardRoute } from "./routes/dashboard.schema.js";
import { forecastRoute } from "./routes/forecast.schema.js";
import { gapsRoute } from "./routes/gaps.schema.js";
import { gatewaysRoute } from "./routes/gateways.schema.js";
import { healthRoute, readyRoute } from "./routes/health.schema.js";
import { metricsRoute } from "./routes/metrics.schema.js";
import { openApiRoute } from "./routes/openapi.schema.js";
import { rejectedRoute } from "./routes/rejected.schema.js";
import { sessionsRoute } from "./routes/sessions.schema.js";
import { sitesRoute } from "./routes/sites.schema.js";
import { slotsRoute } from "./routes/slots.schema.js";
import { spaceCountRoute, spaceHistoryRoute, spacesRoute } from "./routes/spaces.schema.js";
import { streamRoute } from "./routes/stream.schema.js";

/** Every route of the API, in the order the OpenAPI document lists them. Add a new route here. */
export const ROUTE_CATALOG: readonly RouteSpec[] = [
  sitesRoute,
  spacesRoute,
  spaceCountRoute,
  spaceHistoryRoute,
  forecastRoute,
  slotsRoute,
  streamRoute,
  sessionsRoute,
  gatewaysRoute,
  gapsRoute,
  rejectedRoute,
  healthRoute,
  readyRoute,
  metricsRoute,
  openApiRoute,
  dashboardRoute,
  dashboardFileRoute,
];
