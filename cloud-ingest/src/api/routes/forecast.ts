import { Hono } from "hono";
import type { Forecaster } from "../../forecast/forecaster.js";
import { DEFAULT_INTERVAL_LEVEL } from "../../forecast/seasonal-model.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import { badParameter, unknownSite, unknownSpace } from "../errors.js";
import { validate } from "../validation/validate.js";
import { forecastRoute } from "./forecast.schema.js";

export interface ForecastRoutesOptions {
  forecaster: Forecaster;
  topology: TopologyIndex;
}

const DEFAULT_STEP = { text: "15m", ms: 15 * 60_000 };
const DEFAULT_HORIZON = { text: "PT6H", ms: 6 * 3_600_000 };
const MAX_POINTS = 2000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const tenths = (value: number) => Math.round(value * 10) / 10;

/** Mounted at `/v1/sites/:site/forecast`: a space's predicted count (src/forecast/). */
export function createForecastRoutes(options: ForecastRoutesOptions): Hono {
  const { forecaster, topology } = options;
  return new Hono().get(
    "/",
    validate("param", forecastRoute.params),
    validate("query", forecastRoute.query),
    async (c) => {
      const siteId = c.req.valid("param").site;
      const query = c.req.valid("query");
      const site = topology.sites.get(siteId);
      if (site === undefined) throw unknownSite(siteId);
      const space = site.spaces.get(query.space);
      if (space === undefined) throw unknownSpace(site.id, query.space);
      const step = query.step ?? DEFAULT_STEP;
      const horizon =
        query.hours !== undefined
          ? { text: `PT${query.hours}H`, ms: query.hours * 3_600_000 }
          : (query.horizon ?? DEFAULT_HORIZON);
      // A step longer than the horizon still gives one point.
      const horizonMs = Math.max(horizon.ms, step.ms);
      const points = Math.floor(horizonMs / step.ms);
      if (points > MAX_POINTS) {
        throw badParameter(
          "step",
          `${step.text} over ${horizon.text} gives ${points} points, over the limit of ${MAX_POINTS}; use a larger step or a shorter horizon`,
        );
      }
      const forecast = await forecaster.forecast({
        site: site.id,
        space: space.id,
        stepMs: step.ms,
        timeZone: site.timeZone ?? undefined,
        horizonMs,
      });
      return c.json({
        site: site.id,
        space: space.id,
        capacity: space.capacity,
        at: new Date(forecast.at).toISOString(),
        step: step.text,
        horizon: horizon.text,
        intervalLevel: DEFAULT_INTERVAL_LEVEL,
        model: {
          name: "seasonal-profile-scaled-level" as const,
          seasonality: forecast.model.seasonality,
          observations: forecast.model.observations,
          trainedFrom: iso(forecast.model.firstAt),
          trainedTo: iso(forecast.model.lastAt),
          builtAt: new Date(forecast.model.builtAt).toISOString(),
        },
        points: forecast.points.map((point) => ({
          t: new Date(point.t).toISOString(),
          count: tenths(point.count),
          low: tenths(point.low),
          high: tenths(point.high),
        })),
      });
    },
  );
}
