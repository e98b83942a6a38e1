import { Hono } from "hono";
import type { Store } from "../../store/store.js";
import { badParameter } from "../errors.js";

export interface RejectedRoutesOptions {
  store: Store;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** `GET /v1/rejected?limit=`: the newest refused messages and events, with the reason for each. */
export function createRejectedRoutes(options: RejectedRoutesOptions): Hono {
  return new Hono().get("/", async (c) => {
    const limitParam = c.req.query("limit");
    const limit = limitParam === undefined ? DEFAULT_LIMIT : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw badParameter("limit", `must be a whole number from 1 to ${MAX_LIMIT}, got "${limitParam}"`);
    }
    const rejected = await options.store.listRejected(limit);
    return c.json({
      rejected: rejected.map((r) => ({ ...r, receivedAt: new Date(r.receivedAt).toISOString() })),
    });
  });
}
