import type { SiteConfig, SpaceConfig, Topology } from "./schema.js";

export interface TopologyIssue {
  path: (string | number)[];
  message: string;
}

/** Checks zod cannot express: unique ids and references between sites' spaces and sources. */
export function crossCheckTopology(topology: Topology): TopologyIssue[] {
  const issues: TopologyIssue[] = [];
  checkUnique(
    topology.sites.map((site, i) => ({ id: site.id, path: ["sites", i, "id"] })),
    "site id",
    issues,
  );
  topology.sites.forEach((site, i) => {
    crossCheckSite(site, ["sites", i], issues);
  });
  return issues;
}

interface IdAt {
  id: string;
  path: (string | number)[];
}

function crossCheckSite(site: SiteConfig, at: (string | number)[], issues: TopologyIssue[]): void {
  const spaces: IdAt[] = [];
  const slotSpaces = new Set(site.slots.map((slot) => slot.space));
  const walk = (list: SpaceConfig[], path: (string | number)[]): boolean => {
    let subtreeHasSlots = false;
    list.forEach((space, i) => {
      const spacePath = [...path, i];
      spaces.push({ id: space.id, path: [...spacePath, "id"] });
      const childrenHaveSlots = walk(space.children ?? [], [...spacePath, "children"]);
      const hasSlots = slotSpaces.has(space.id) || childrenHaveSlots;
      if (space.countFrom === "slots" && !hasSlots) {
        issues.push({
          path: [...spacePath, "countFrom"],
          message: `space "${space.id}" counts from slots but no slot lies in it or below it`,
        });
      }
      subtreeHasSlots ||= hasSlots;
    });
    return subtreeHasSlots;
  };
  walk(site.spaces, [...at, "spaces"]);
  checkUnique(spaces, "space id", issues);

  const known = new Set(spaces.map((space) => space.id));
  const reference = (space: string | undefined, path: (string | number)[]) => {
    if (space !== undefined && !known.has(space)) issues.push({ path, message: `unknown space "${space}"` });
  };
  site.lanes.forEach((lane, i) => {
    reference(lane.space, [...at, "lanes", i, "space"]);
  });
  site.slots.forEach((slot, i) => {
    reference(slot.space, [...at, "slots", i, "space"]);
  });
  site.doors.forEach((door, i) => {
    const path = [...at, "doors", i];
    reference(door.from, [...path, "from"]);
    reference(door.to, [...path, "to"]);
    if (door.from === undefined && door.to === undefined) {
      issues.push({ path, message: `door "${door.id}" needs "from" or "to" (a missing one means outside)` });
    } else if (door.from === door.to) {
      issues.push({
        path: [...path, "to"],
        message: `door "${door.id}" leads from "${door.from}" to itself`,
      });
    }
  });

  for (const kind of ["lanes", "doors", "slots"] as const) {
    checkUnique(
      site[kind].map((source, i) => ({ id: source.id, path: [...at, kind, i, "id"] })),
      `${kind.slice(0, -1)} id`,
      issues,
    );
  }
}

function checkUnique(items: IdAt[], what: string, issues: TopologyIssue[]): void {
  const first = new Map<string, IdAt>();
  for (const item of items) {
    const earlier = first.get(item.id);
    if (earlier === undefined) first.set(item.id, item);
    else issues.push({ path: item.path, message: `duplicate ${what} "${item.id}"` });
  }
}
