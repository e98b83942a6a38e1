import { Hono } from "hono";
import { errorBody } from "../errors.js";

export interface HealthRoutesOptions {
  /** True once the broker and the HTTP server listen and the store is open. */
  isReady: () => boolean;
}

export function createHealthRoutes(options: HealthRoutesOptions): Hono {
  return new Hono()
    .get("/healthz", (c) => c.json({ ok: true }))
    .get("/readyz", (c) =>
      options.isReady()
        ? c.json({ ready: true })
        : c.json(errorBody("not_ready", "the ingest is starting or shutting down"), 503),
    );
}
