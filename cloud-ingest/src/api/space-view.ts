import { z } from "zod";
import { type CountReading, freeOf } from "../counts/clamp.js";
import { countSourcesOf } from "../counts/count-sources.js";
import type { SpaceCountRow } from "../store/store.js";
import type { SiteIndex } from "../topology/topology-index.js";

const time = z.iso.datetime();

/** Which count a space answers with: lanes and doors, bay sensors, or none (always 0). */
export const CountSourceSchema = z
  .enum(["flow", "slots", "none"])
  .describe("flow: lanes and doors; slots: occupied bays; none: no source (always 0)");

export const SpaceViewSchema = z.object({
  id: z.string(),
  parent: z.string().nullable(),
  source: CountSourceSchema,
  count: z.int().nonnegative().describe("never below zero; see rawCount and clamped"),
  rawCount: z.int().describe("the unclamped sum; differs from count only when clamped"),
  clamped: z.boolean(),
  capacity: z.int().nonnegative().nullable(),
  free: z.int().nonnegative().nullable().describe("capacity − count, not below 0; null without a capacity"),
  updatedAt: time.nullable().describe("when the ingest last changed the count; null if it never did"),
});

export type SpaceView = z.infer<typeof SpaceViewSchema>;

const ZERO: CountReading = { count: 0, rawCount: 0, clamped: false };

/** Every space of the site in tree order; spaces that never changed count zero. */
export function buildSpaceViews(site: SiteIndex, rows: SpaceCountRow[]): SpaceView[] {
  const bySpace = new Map(rows.map((row) => [row.space, row]));
  const sources = countSourcesOf(site);
  return [...site.spaces.values()].map((space) => {
    const row = bySpace.get(space.id);
    const reading = row?.reading ?? ZERO;
    return {
      id: space.id,
      parent: space.parent,
      source: sources.get(space.id) ?? "none",
      count: reading.count,
      rawCount: reading.rawCount,
      clamped: reading.clamped,
      capacity: space.capacity,
      free: freeOf(space.capacity, reading.count),
      updatedAt: row?.updatedAt == null ? null : new Date(row.updatedAt).toISOString(),
    };
  });
}
