import { Hono } from "hono";
import type { LocalCounts } from "../../buffer/local-counts.js";

/** What `GET /v1/counts` answers: the buffer's local counts with who and when. */
export interface CountsAnswer extends LocalCounts {
  gateway: string;
  site: string;
  /** When the answer was made. */
  at: string;
}

/** `GET /v1/counts`: per lane, door and slot counts kept on the gateway, so a display works offline. */
export function countsRoutes(counts: () => CountsAnswer): Hono {
  return new Hono().get("/v1/counts", (c) => c.json(counts()));
}
