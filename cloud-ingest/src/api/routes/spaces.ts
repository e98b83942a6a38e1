import { Hono } from "hono";
import { z } from "zod";
import type { Store } from "../../store/store.js";
import type { SiteIndex, TopologyIndex } from "../../topology/topology-index.js";
import { badParameter, unknownSite, unknownSpace } from "../errors.js";
import { buildSpaceViews } from "../space-view.js";

export interface SpaceRoutesOptions {
  store: Store;
  topology: TopologyIndex;
  now?: () => number;
}

const AtSchema = z.iso.datetime({ offset: true });

/** Mounted at `/v1/sites/:site/spaces`: the site's spaces now, and one space's count at a time. */
export function createSpaceRoutes(options: SpaceRoutesOptions): Hono {
  const { store, topology } = options;
  const now = options.now ?? Date.now;
  const siteOf = (id: string | undefined): SiteIndex => {
    const site = topology.sites.get(id ?? "");
    if (site === undefined) throw unknownSite(id ?? "");
    return site;
  };

  return new Hono()
    .get("/", async (c) => {
      const site = siteOf(c.req.param("site"));
      return c.json({ site: site.id, spaces: buildSpaceViews(site, await store.currentCounts(site.id)) });
    })
    .get("/:space/count", async (c) => {
      const site = siteOf(c.req.param("site"));
      const spaceId = c.req.param("space");
      const space = site.spaces.get(spaceId);
      if (space === undefined) throw unknownSpace(site.id, spaceId);
      const atParam = c.req.query("at");
      let reading: Awaited<ReturnType<Store["countAt"]>>;
      let at: number;
      if (atParam === undefined) {
        at = now();
        const row = (await store.currentCounts(site.id)).find((r) => r.space === space.id);
        reading = row?.reading ?? { count: 0, rawCount: 0, clamped: false };
      } else {
        if (!AtSchema.safeParse(atParam).success) {
          throw badParameter("at", `"${atParam}" is not an ISO-8601 time such as 2026-11-22T10:00:00Z`);
        }
        at = Date.parse(atParam);
        reading = await store.countAt(site.id, space.id, at);
      }
      return c.json({
        site: site.id,
        space: space.id,
        at: new Date(at).toISOString(),
        ...reading,
        capacity: space.capacity,
      });
    });
}
