import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type { SiteIndex } from "../topology/topology-index.js";

export interface CountDelta {
  space: string;
  delta: number;
}

/** How one event moves counts: the deltas it applies, or why its source is unknown. */
export type EventCounting =
  | { known: true; deltas: CountDelta[]; warning?: string }
  | { known: false; reason: string };

/**
 * The count changes an event causes. A vehicle entry adds one to the lane's space and every
 * ancestor; an exit removes one. Doors and slots are recognised but do not move counts yet.
 */
export function countDeltasFor(site: SiteIndex | undefined, event: LotwatchEvent): EventCounting {
  if (site === undefined) return { known: false, reason: `site "${event.site}" is not in the topology` };
  switch (event.type) {
    case "vehicle.entry":
    case "vehicle.exit": {
      const lane = site.lanes.get(event.lane);
      if (lane === undefined)
        return { known: false, reason: `lane "${event.lane}" is not in site "${site.id}"` };
      const space = site.spaces.get(lane.space);
      const delta = event.type === "vehicle.entry" ? 1 : -1;
      const deltas = [lane.space, ...(space?.ancestors ?? [])].map((id) => ({ space: id, delta }));
      const expected = event.type === "vehicle.entry" ? "in" : "out";
      // The event type decides the sign; a lane declared the other way is reported, not silently obeyed.
      return lane.direction === expected
        ? { known: true, deltas }
        : {
            known: true,
            deltas,
            warning: `${event.type} on lane "${event.lane}", which the topology declares direction "${lane.direction}"`,
          };
    }
    case "door.crossing":
      return site.doors.has(event.door)
        ? { known: true, deltas: [] }
        : { known: false, reason: `door "${event.door}" is not in site "${site.id}"` };
    case "slot.state":
      return site.slots.has(event.slot)
        ? { known: true, deltas: [] }
        : { known: false, reason: `slot "${event.slot}" is not in site "${site.id}"` };
    case "gateway.gap":
      return { known: true, deltas: [] };
  }
}
