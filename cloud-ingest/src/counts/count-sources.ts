import type { SiteIndex } from "../topology/topology-index.js";

/** Where a space's count comes from: lanes and doors, bay sensors, or nothing at all. */
export type CountSource = "flow" | "slots" | "none";

/** The kinds of count history the store keeps for every space. */
export type TimelineSource = Exclude<CountSource, "none">;

const cache = new WeakMap<SiteIndex, ReadonlyMap<string, CountSource>>();

/** A space and its ancestors, nearest first; empty for null (outside the site). */
export function spaceChain(site: SiteIndex, space: string | null): string[] {
  if (space === null) return [];
  return [space, ...(site.spaces.get(space)?.ancestors ?? [])];
}

/**
 * The spaces a door crossing moves people between: `to`'s chain gains, `from`'s chain loses, and
 * spaces containing both sides get nothing (the move happens inside them).
 */
export function doorSides(site: SiteIndex, from: string | null, to: string | null) {
  const fromChain = spaceChain(site, from);
  const toChain = spaceChain(site, to);
  const inFrom = new Set(fromChain);
  const inTo = new Set(toChain);
  return {
    gaining: toChain.filter((space) => !inFrom.has(space)),
    losing: fromChain.filter((space) => !inTo.has(space)),
  };
}

/**
 * Each space's count source (DESIGN.md "Topology"): `flow` when a lane or door crosses its boundary,
 * else `slots` when bay sensors lie in its subtree, else `none`; the space's `countFrom` overrides.
 */
export function countSourcesOf(site: SiteIndex): ReadonlyMap<string, CountSource> {
  const cached = cache.get(site);
  if (cached !== undefined) return cached;
  const crossed = new Set<string>();
  for (const lane of site.lanes.values()) {
    for (const space of spaceChain(site, lane.space)) crossed.add(space);
  }
  for (const door of site.doors.values()) {
    const { gaining, losing } = doorSides(site, door.from, door.to);
    for (const space of [...gaining, ...losing]) crossed.add(space);
  }
  const withSlots = new Set<string>();
  for (const slot of site.slots.values()) {
    for (const space of spaceChain(site, slot.space)) withSlots.add(space);
  }
  const sources = new Map<string, CountSource>();
  for (const space of site.spaces.values()) {
    const derived: CountSource = crossed.has(space.id) ? "flow" : withSlots.has(space.id) ? "slots" : "none";
    sources.set(space.id, space.countFrom ?? derived);
  }
  cache.set(site, sources);
  return sources;
}
