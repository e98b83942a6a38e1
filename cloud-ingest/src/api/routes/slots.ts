import { Hono } from "hono";
import type { Store } from "../../store/store.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import { unknownSite } from "../errors.js";
import { validate } from "../validation/validate.js";
import { slotsRoute } from "./slots.schema.js";

export interface SlotRoutesOptions {
  store: Store;
  topology: TopologyIndex;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** `GET /v1/sites/:site/slots`: each bay sensor's state, since when, and its latest report. */
export function createSlotRoutes(options: SlotRoutesOptions): Hono {
  return new Hono().get(
    "/",
    validate("param", slotsRoute.params),
    validate("query", slotsRoute.query),
    async (c) => {
      const siteId = c.req.valid("param").site;
      if (!options.topology.sites.has(siteId)) throw unknownSite(siteId);
      const rows = await options.store.listSlots(siteId);
      return c.json({
        site: siteId,
        slots: rows.map((row) => ({
          id: row.slot,
          space: row.space,
          occupied: row.occupied,
          since: iso(row.since),
          reportedAt: iso(row.reportedAt),
        })),
      });
    },
  );
}
