import { Hono } from "hono";

/** `GET /healthz`: the process is up and serving. */
export function healthRoutes(): Hono {
  return new Hono().get("/healthz", (c) => c.json({ ok: true }));
}
