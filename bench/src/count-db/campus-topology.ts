import { writeFileSync } from "node:fs";

/** The site of the count benchmarks: a four-floor building, people counters only. */
export const CAMPUS_SITE = "bench-campus";
export const CAMPUS_GATEWAY = "gw-count";

const FLOORS = [1, 2, 3, 4];
const ROOMS = [1, 2, 3, 4];

export function campusTopology(): object {
  const floorIds = FLOORS.map((floor) => `floor-${floor}`);
  return {
    sites: [
      {
        id: CAMPUS_SITE,
        spaces: [
          {
            id: "building",
            capacity: 2000,
            children: FLOORS.map((floor) => ({
              id: `floor-${floor}`,
              capacity: 500,
              children: ROOMS.map((room) => ({ id: `room-${floor}-${room}`, capacity: 60 })),
            })),
          },
        ],
        lanes: [],
        doors: [
          { id: "entrance-1", to: "floor-1" },
          { id: "entrance-2", to: "floor-1" },
          ...floorIds.slice(1).map((to, i) => ({ id: `stairs-${i + 1}`, from: floorIds[i], to })),
          ...FLOORS.flatMap((floor) =>
            ROOMS.map((room) => ({
              id: `door-${floor}-${room}`,
              from: `floor-${floor}`,
              to: `room-${floor}-${room}`,
            })),
          ),
        ],
        slots: [],
      },
    ],
  };
}

export function writeCampusTopology(path: string): string {
  writeFileSync(path, JSON.stringify(campusTopology(), null, 2));
  return path;
}
