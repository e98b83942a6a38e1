import { Hono } from "hono";
import type { Store } from "../../store/store.js";
import { ApiError } from "../errors.js";
import { validate } from "../validation/validate.js";
import { DEFAULT_GAP_LIMIT, gapsRoute } from "./gaps.schema.js";

export interface GapRoutesOptions {
  store: Store;
}

/** `GET /v1/gateways/:gateway/gaps`: the readings a gateway had to drop, so none is lost silently. */
export function createGapRoutes(options: GapRoutesOptions): Hono {
  return new Hono().get(
    "/",
    validate("param", gapsRoute.params),
    validate("query", gapsRoute.query),
    async (c) => {
      const { gateway } = c.req.valid("param");
      const query = c.req.valid("query");
      const report = await options.store.listGaps(gateway, {
        limit: query.limit ?? DEFAULT_GAP_LIMIT,
        ...(query.after === undefined ? {} : { after: query.after }),
      });
      if (report === null) {
        throw new ApiError(404, "unknown_gateway", `the ingest never heard from gateway "${gateway}"`);
      }
      return c.json({
        gateway: report.gateway,
        lost: report.lost,
        gaps: report.gaps.map((gap) => ({ ...gap, occurredAt: new Date(gap.occurredAt).toISOString() })),
        nextAfter: report.nextAfter,
      });
    },
  );
}
