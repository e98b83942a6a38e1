import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { newEventId } from "@lotwatch/protocol/ids.js";
import { parseTopology } from "../../topology/load-topology.js";
import { createTopologyIndex, type SiteIndex, type TopologyIndex } from "../../topology/topology-index.js";

/**
 * A campus with every kind of count: a building counted by doors (one from outside, one between
 * rooms, one between floors), a garage with lanes whose deck and zones count by bay sensors, a yard
 * that a lane crosses but that `countFrom: slots` counts by its bay, and a shed with no source.
 */
export const CAMPUS_YAML = `
sites:
  - id: campus
    spaces:
      - id: building
        children:
          - id: floor-1
            children: [ { id: room-a, capacity: 10 }, { id: room-b } ]
          - { id: floor-2 }
      - id: garage
        capacity: 100
        children:
          - id: deck-1
            children: [ { id: zone-x, capacity: 2 }, { id: zone-y } ]
      - { id: yard, countFrom: slots }
      - { id: shed }
    lanes:
      - { id: gate-in, space: garage, direction: in }
      - { id: gate-out, space: garage, direction: out }
      - { id: yard-in, space: yard, direction: in }
    doors:
      - { id: main, to: floor-1 }
      - { id: a-b, from: room-a, to: room-b }
      - { id: stairs, from: floor-1, to: floor-2 }
    slots:
      - { id: x1, space: zone-x }
      - { id: x2, space: zone-x }
      - { id: y1, space: zone-y }
      - { id: yard-1, space: yard }
`;

export function campusTopology(): TopologyIndex {
  return createTopologyIndex(parseTopology(CAMPUS_YAML, "campus.yaml"));
}

export function campusSite(topology: TopologyIndex = campusTopology()): SiteIndex {
  const site = topology.sites.get("campus");
  if (site === undefined) throw new Error("campus fixture has no campus site");
  return site;
}

export const T0 = Date.parse("2026-11-22T10:00:00.000Z");

const common = (seq: number, t: number) => ({
  id: newEventId(),
  seq,
  site: "campus",
  occurredAt: new Date(T0 + t).toISOString(),
});

/** The same read with another plate. */
export const withPlate = (event: LotwatchEvent, plate: string) => ({ ...event, plate }) as LotwatchEvent;

export function laneRead(seq: number, t: number, lane: string): LotwatchEvent {
  const type = lane.endsWith("-out") ? "vehicle.exit" : "vehicle.entry";
  return { type, ...common(seq, t), lane, plate: `P${seq}` };
}

export function crossing(
  seq: number,
  t: number,
  door: string,
  direction: 1 | -1,
  count?: number,
): LotwatchEvent {
  return {
    type: "door.crossing",
    ...common(seq, t),
    door,
    direction,
    ...(count === undefined ? {} : { count }),
  };
}

export function slotState(seq: number, t: number, slot: string, occupied: boolean): LotwatchEvent {
  return { type: "slot.state", ...common(seq, t), slot, occupied };
}
