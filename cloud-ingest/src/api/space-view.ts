import { type CountReading, freeOf } from "../counts/clamp.js";
import { type CountSource, countSourcesOf } from "../counts/count-sources.js";
import type { SpaceCountRow } from "../store/store.js";
import type { SiteIndex } from "../topology/topology-index.js";

export interface SpaceView {
  id: string;
  parent: string | null;
  /** Which count the space answers with: lanes and doors, bay sensors, or none. */
  source: CountSource;
  count: number;
  /** The unclamped sum; differs from `count` only when `clamped`. */
  rawCount: number;
  clamped: boolean;
  capacity: number | null;
  free: number | null;
  updatedAt: string | null;
}

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
