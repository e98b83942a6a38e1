import type { SiteConfig, SpaceConfig, Topology } from "./schema.js";

export interface SpaceInfo {
  id: string;
  parent: string | null;
  capacity: number | null;
  countFrom: "flow" | "slots" | null;
  /** Nearest first: parent, grandparent, …, root. */
  ancestors: string[];
}

export interface LaneInfo {
  space: string;
  direction: "in" | "out";
}

export interface DoorInfo {
  from: string | null;
  to: string | null;
}

export interface SiteIndex {
  id: string;
  /** In tree order (a parent before its children). */
  spaces: Map<string, SpaceInfo>;
  lanes: Map<string, LaneInfo>;
  doors: Map<string, DoorInfo>;
  slots: Map<string, { space: string }>;
  /** The parking tariff, or null when the site charges nothing. */
  tariff: NonNullable<SiteConfig["tariff"]> | null;
  /** The site's IANA time zone (its forecasts' week follows it), or null for UTC. */
  timeZone: string | null;
}

export interface TopologyIndex {
  sites: Map<string, SiteIndex>;
}

/** Lookup tables for a validated topology: what each source moves and which spaces contain which. */
export function createTopologyIndex(topology: Topology): TopologyIndex {
  return { sites: new Map(topology.sites.map((site) => [site.id, indexSite(site)])) };
}

function indexSite(site: SiteConfig): SiteIndex {
  const spaces = new Map<string, SpaceInfo>();
  const walk = (list: SpaceConfig[], ancestors: string[]) => {
    for (const space of list) {
      spaces.set(space.id, {
        id: space.id,
        parent: ancestors[0] ?? null,
        capacity: space.capacity ?? null,
        countFrom: space.countFrom ?? null,
        ancestors,
      });
      walk(space.children ?? [], [space.id, ...ancestors]);
    }
  };
  walk(site.spaces, []);
  return {
    id: site.id,
    spaces,
    lanes: new Map(site.lanes.map((lane) => [lane.id, { space: lane.space, direction: lane.direction }])),
    doors: new Map(site.doors.map((door) => [door.id, { from: door.from ?? null, to: door.to ?? null }])),
    slots: new Map(site.slots.map((slot) => [slot.id, { space: slot.space }])),
    tariff: site.tariff ?? null,
    timeZone: site.timeZone ?? null,
  };
}
