import { Hono } from "hono";
import type { Store } from "../../store/store.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import { buildSpaceViews } from "../space-view.js";
import { validate } from "../validation/validate.js";
import { sitesRoute } from "./sites.schema.js";

export interface SiteRoutesOptions {
  store: Store;
  topology: TopologyIndex;
}

/** `GET /v1/sites`: every site with its spaces' current counts. */
export function createSiteRoutes(options: SiteRoutesOptions): Hono {
  return new Hono().get("/", validate("query", sitesRoute.query), async (c) => {
    const sites = await Promise.all(
      [...options.topology.sites.values()].map(async (site) => ({
        id: site.id,
        spaces: buildSpaceViews(site, await options.store.currentCounts(site.id)),
      })),
    );
    return c.json({ sites });
  });
}
