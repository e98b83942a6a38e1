import { Hono } from "hono";
import { z } from "zod";
import type { CountReading } from "../../counts/clamp.js";
import { countSourcesOf } from "../../counts/count-sources.js";
import { parseStep, stepCount, stepTimes } from "../../counts/history-step.js";
import type { Store } from "../../store/store.js";
import type { SiteIndex, SpaceInfo, TopologyIndex } from "../../topology/topology-index.js";
import { badParameter, unknownSite, unknownSpace } from "../errors.js";
import { buildSpaceViews } from "../space-view.js";

export interface SpaceRoutesOptions {
  store: Store;
  topology: TopologyIndex;
  now?: () => number;
  /** The most points one history answer may hold. Default 2000. */
  maxHistoryPoints?: number;
}

const AtSchema = z.iso.datetime({ offset: true });
const DEFAULT_STEP = "5m";
const DEFAULT_SPAN_MS = 24 * 3_600_000;
const ZERO: CountReading = { count: 0, rawCount: 0, clamped: false };

/** A time query parameter in ms, or `fallback` when absent; 400 naming the parameter when bad. */
function timeParam(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!AtSchema.safeParse(value).success) {
    throw badParameter(name, `"${value}" is not an ISO-8601 time such as 2026-11-22T10:00:00Z`);
  }
  return Date.parse(value);
}

const iso = (ms: number) => new Date(ms).toISOString();

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
  const siteOf = (id: string | undefined): SiteIndex => {
    const site = topology.sites.get(id ?? "");
    if (site === undefined) throw unknownSite(id ?? "");
    return site;
  };
  const spaceOf = (site: SiteIndex, id: string): SpaceInfo => {
    const space = site.spaces.get(id);
    if (space === undefined) throw unknownSpace(site.id, id);
    return space;
  };

  return new Hono()
    .get("/", async (c) => {
      const site = siteOf(c.req.param("site"));
      return c.json({ site: site.id, spaces: buildSpaceViews(site, await store.currentCounts(site.id)) });
    })
    .get("/:space/count", async (c) => {
      const site = siteOf(c.req.param("site"));
      const space = spaceOf(site, c.req.param("space"));
      const atParam = c.req.query("at");
      let reading: CountReading;
      let at: number;
      if (atParam === undefined) {
        at = now();
        const row = (await store.currentCounts(site.id)).find((r) => r.space === space.id);
        reading = row?.reading ?? ZERO;
      } else {
        at = timeParam("at", atParam, 0);
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
    })
    .get("/:space/history", async (c) => {
      const site = siteOf(c.req.param("site"));
      const space = spaceOf(site, c.req.param("space"));
      const stepText = c.req.query("step") ?? DEFAULT_STEP;
      const step = parseStep(stepText);
      if (step === null) {
        throw badParameter("step", `"${stepText}" is not a step such as 30s, 5m, 1h, 1d or PT5M`);
      }
      const to = timeParam("to", c.req.query("to"), now());
      const from = timeParam("from", c.req.query("from"), to - DEFAULT_SPAN_MS);
      if (from > to) throw badParameter("from", `${iso(from)} is after to (${iso(to)})`);
      const points = stepCount(from, to, step);
      if (points > maxPoints) {
        throw badParameter(
          "step",
          `${stepText} from ${iso(from)} to ${iso(to)} gives ${points} points, over the limit of ${maxPoints}; use a larger step or a shorter range`,
        );
      }
      const times = stepTimes(from, to, step);
      const readings = await store.countsAt(site.id, space.id, times);
      return c.json({
        site: site.id,
        space: space.id,
        source: countSourcesOf(site).get(space.id) ?? "none",
        from: iso(from),
        to: iso(to),
        step: stepText,
        points: times.map((t, i) => point(t, readings[i] ?? ZERO)),
      });
    });
}
