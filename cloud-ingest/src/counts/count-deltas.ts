import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type { SiteIndex } from "../topology/topology-index.js";
import { doorSides, spaceChain } from "./count-sources.js";

export interface CountDelta {
  space: string;
  delta: number;
}

/** A bay sensor's state: not a delta, the store derives the change from the slot's neighbours in time. */
export interface SlotReading {
  slot: string;
  /** The slot's space and its ancestors, nearest first. */
  spaces: string[];
  occupied: boolean;
}

/** How one event moves counts: its flow deltas and slot state, or why its source is unknown. */
export type EventCounting =
  | { known: true; deltas: CountDelta[]; slot?: SlotReading; warning?: string }
  | { known: false; reason: string };

/**
 * What an event does to counts. A vehicle entry adds one to the lane's space and every ancestor, an
 * exit removes one. A door crossing of `count` people moves them from `from` to `to` (or back when
 * `direction` is -1): `to`'s chain gains, `from`'s loses, and common ancestors see no change.
 *
 * The result is the same for every event of a source and variant (entry or exit, people moved,
 * bay taken or free), so a known source's is kept per site and shared, frozen: the ingest asks for
 * every event it stores (issue 5).
 */
export function countDeltasFor(site: SiteIndex | undefined, event: LotwatchEvent): EventCounting {
  if (site === undefined) return { known: false, reason: `site "${event.site}" is not in the topology` };
  const key = variantOf(event);
  if (key === undefined) return deltasOf(site, event);
  const [variant, source] = key;
  return memoized(site, variant, source, () => deltasOf(site, event));
}

/** What a vehicle read of `kind` on `lane` does to counts: what its event does (`countDeltasFor`). */
export function laneReadCounting(
  site: SiteIndex | undefined,
  kind: "entry" | "exit",
  lane: string,
): EventCounting {
  if (site === undefined) return { known: false, reason: "the site is not in the topology" };
  return memoized(site, kind, lane, () => laneDeltas(site, kind, lane));
}

function memoized(
  site: SiteIndex,
  variant: Variant,
  source: string,
  compute: () => EventCounting,
): EventCounting {
  let bySite = memo.get(site);
  if (bySite === undefined) {
    bySite = new Map();
    memo.set(site, bySite);
  }
  let byVariant = bySite.get(variant);
  if (byVariant === undefined) {
    byVariant = new Map();
    bySite.set(variant, byVariant);
  }
  let effect = byVariant.get(source);
  if (effect === undefined) {
    effect = compute();
    // Unknown sources are not kept: a gateway naming ever new ones must not grow the map.
    if (effect.known) byVariant.set(source, deepFreeze(effect));
  }
  return effect;
}

/** A door crossing's variant is the people it moves (sign: direction). */
type Variant = "entry" | "exit" | number | "taken" | "free";
const memo = new WeakMap<SiteIndex, Map<Variant, Map<string, EventCounting>>>();
/** Crossings of larger groups are rare, and not kept: the memo stays small whatever the counts. */
const KEPT_GROUP = 16;

/** The variant and source of the events whose counting is kept; not of rare ones (large groups, gaps). */
function variantOf(event: LotwatchEvent): [Variant, string] | undefined {
  switch (event.type) {
    case "vehicle.entry":
      return ["entry", event.lane];
    case "vehicle.exit":
      return ["exit", event.lane];
    case "door.crossing": {
      const group = event.count ?? 1;
      return group <= KEPT_GROUP ? [event.direction * group, event.door] : undefined;
    }
    case "slot.state":
      return [event.occupied ? "taken" : "free", event.slot];
    case "gateway.gap":
      return undefined;
  }
}

function laneDeltas(site: SiteIndex, kind: "entry" | "exit", laneId: string): EventCounting {
  const lane = site.lanes.get(laneId);
  if (lane === undefined) return { known: false, reason: `lane "${laneId}" is not in site "${site.id}"` };
  const delta = kind === "entry" ? 1 : -1;
  const deltas = spaceChain(site, lane.space).map((space) => ({ space, delta }));
  const expected = kind === "entry" ? "in" : "out";
  // The event type decides the sign; a lane declared the other way is reported, not silently obeyed.
  return lane.direction === expected
    ? { known: true, deltas }
    : {
        known: true,
        deltas,
        warning: `vehicle.${kind} on lane "${laneId}", which the topology declares direction "${lane.direction}"`,
      };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function deltasOf(site: SiteIndex, event: LotwatchEvent): EventCounting {
  switch (event.type) {
    case "vehicle.entry":
      return laneDeltas(site, "entry", event.lane);
    case "vehicle.exit":
      return laneDeltas(site, "exit", event.lane);
    case "door.crossing": {
      const door = site.doors.get(event.door);
      if (door === undefined)
        return { known: false, reason: `door "${event.door}" is not in site "${site.id}"` };
      const moved = event.direction * (event.count ?? 1);
      const { gaining, losing } = doorSides(site, door.from, door.to);
      return {
        known: true,
        deltas: [
          ...gaining.map((space) => ({ space, delta: moved })),
          ...losing.map((space) => ({ space, delta: -moved })),
        ],
      };
    }
    case "slot.state": {
      const slot = site.slots.get(event.slot);
      if (slot === undefined)
        return { known: false, reason: `slot "${event.slot}" is not in site "${site.id}"` };
      return {
        known: true,
        deltas: [],
        slot: { slot: event.slot, spaces: spaceChain(site, slot.space), occupied: event.occupied },
      };
    }
    case "gateway.gap":
      return { known: true, deltas: [] };
  }
}
