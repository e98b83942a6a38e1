import { Hono } from "hono";
import type { CountReading } from "../../counts/clamp.js";
import { countSourcesOf } from "../../counts/count-sources.js";
import { stepCount, stepTimes } from "../../counts/history-step.js";
import type { Store } from "../../store/store.js";
import type { SiteIndex, SpaceInfo, TopologyIndex } from "../../topology/topology-index.js";
import { badParameter, unknownSite, unknownSpace } from "../errors.js";
import { buildSpaceViews } from "../space-view.js";
import { validate } from "../validation/validate.js";
import { spaceCountRoute, spaceHistoryRoute, spacesRoute } from "./spaces.schema.js";

export interface SpaceRoutesOptions {
  store: Store;
  topology: TopologyIndex;
  now?: () => number;
  /** The most points one history answer may hold. Default 2000. */
  maxHistoryPoints?: number;
}

const DEFAULT_SPAN_MS = 24 * 3_600_000;
const ZERO: CountReading = { count: 0, rawCount: 0, clamped: false };

const iso = (ms: number) => new Date(ms).toISOString();
const msOf = (time: string | undefined, fallback: number) =>
  time === undefined ? fallback : Date.parse(time);

/** A history point: `rawCount` and `clamped` only when the count was clamped, to keep points small. */
function point(t: number, reading: CountReading) {
  return reading.clamped
    ? { t: iso(t), count: reading.count, rawCount: reading.rawCount, clamped: true }
    : { t: iso(t), count: reading.count };
}

/**
 * Mounted at `/v1/sites/:site/spaces`: the site's spaces now, one space's count at a time, and its
 * history at a step.
 */
export function createSpaceRoutes(options: SpaceRoutesOptions): Hono {
  const { store, topology } = options;
  const now = options.now ?? Date.now;
  const maxPoints = options.maxHistoryPoints ?? 2000;
  const siteOf = (id: string): SiteIndex => {
    const site = topology.sites.get(id);
    if (site === undefined) throw unknownSite(id);
    return site;
  };
  const spaceOf = (site: SiteIndex, id: string): SpaceInfo => {
    const space = site.spaces.get(id);
    if (space === undefined) throw unknownSpace(site.id, id);
    return space;
  };
  return new Hono()
    .get("/", validate("param", spacesRoute.params), validate("query", spacesRoute.query), async (c) => {
      const site = siteOf(c.req.valid("param").site);
      return c.json({ site: site.id, spaces: buildSpaceViews(site, await store.currentCounts(site.id)) });
    })
    .get(
      "/:space/count",
      validate("param", spaceCountRoute.params),
      validate("query", spaceCountRoute.query),
      async (c) => {
        const params = c.req.valid("param");
        const site = siteOf(params.site);
        const space = spaceOf(site, params.space);
        const atParam = c.req.valid("query").at;
        let reading: CountReading;
        let at: number;
        if (atParam === undefined) {
          at = now();
          const row = (await store.currentCounts(site.id)).find((r) => r.space === space.id);
          reading = row?.reading ?? ZERO;
        } else {
          at = Date.parse(atParam);
          reading = await store.countAt(site.id, space.id, at);
        }
        return c.json({
          site: site.id,
          space: space.id,
          source: countSourcesOf(site).get(space.id) ?? "none",
          at: iso(at),
          ...reading,
          capacity: space.capacity,
        });
      },
    )
    .get(
      "/:space/history",
      validate("param", spaceHistoryRoute.params),
      validate("query", spaceHistoryRoute.query),
      async (c) => {
        const params = c.req.valid("param");
        const site = siteOf(params.site);
        const space = spaceOf(site, params.space);
        const query = c.req.valid("query");
        const step = query.step;
        const to = msOf(query.to, now());
        const from = msOf(query.from, to - DEFAULT_SPAN_MS);
        if (from > to) throw badParameter("from", `${iso(from)} is after to (${iso(to)})`);
        const points = stepCount(from, to, step.ms);
        if (points > maxPoints) {
          throw badParameter(
            "step",
            `${step.text} from ${iso(from)} to ${iso(to)} gives ${points} points, over the limit of ${maxPoints}; use a larger step or a shorter range`,
          );
        }
        const times = stepTimes(from, to, step.ms);
        const readings = await store.countsAt(site.id, space.id, times);
        return c.json({
          site: site.id,
          space: space.id,
          source: countSourcesOf(site).get(space.id) ?? "none",
          from: iso(from),
          to: iso(to),
          step: step.text,
          points: times.map((t, i) => point(t, readings[i] ?? ZERO)),
        });
      },
    );
}
