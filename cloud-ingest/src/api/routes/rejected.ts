import { Hono } from "hono";
import type { Store } from "../../store/store.js";
import { validate } from "../validation/validate.js";
import { DEFAULT_REJECTED_LIMIT, rejectedRoute } from "./rejected.schema.js";

export interface RejectedRoutesOptions {
  store: Store;
}

/** `GET /v1/rejected?limit=`: the newest refused messages and events, with the reason for each. */
export function createRejectedRoutes(options: RejectedRoutesOptions): Hono {
  return new Hono().get("/", validate("query", rejectedRoute.query), async (c) => {
    const rejected = await options.store.listRejected(c.req.valid("query").limit ?? DEFAULT_REJECTED_LIMIT);
    return c.json({
      rejected: rejected.map((r) => ({ ...r, receivedAt: new Date(r.receivedAt).toISOString() })),
    });
  });
}
