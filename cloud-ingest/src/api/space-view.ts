import type { SpaceCountRow } from "../store/store.js";
import type { SiteIndex } from "../topology/topology-index.js";

export interface SpaceView {
  id: string;
  parent: string | null;
  count: number;
  /** The unclamped sum; differs from `count` only when `clamped`. */
  rawCount: number;
  clamped: boolean;
  capacity: number | null;
  free: number | null;
  updatedAt: string | null;
}

/** Every space of the site in tree order; spaces that never changed count zero. */
export function buildSpaceViews(site: SiteIndex, rows: SpaceCountRow[]): SpaceView[] {
  const bySpace = new Map(rows.map((row) => [row.space, row]));
  return [...site.spaces.values()].map((space) => {
    const row = bySpace.get(space.id);
    const reading = row?.reading ?? { count: 0, rawCount: 0, clamped: false };
    return {
      id: space.id,
      parent: space.parent,
      count: reading.count,
      rawCount: reading.rawCount,
      clamped: reading.clamped,
      capacity: space.capacity,
      free: space.capacity === null ? null : Math.max(0, space.capacity - reading.count),
      updatedAt: row?.updatedAt == null ? null : new Date(row.updatedAt).toISOString(),
    };
  });
}
