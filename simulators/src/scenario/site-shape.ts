import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";

/** The part of a site's topology a scenario drives: one entry and one exit lane, one door. */
export interface SiteShape {
  site: string;
  entryLane: string;
  exitLane: string;
  /** The space the lanes lead into and out of. */
  vehicleSpace: string;
  /** A door from outside into `peopleSpace`. */
  door: string;
  peopleSpace: string;
}

/** The demo topology (examples/demo/topology.yaml). */
export const DEMO_SITE_SHAPE: SiteShape = {
  site: "mall-a",
  entryLane: "entry-1",
  exitLane: "exit-1",
  vehicleSpace: "lot",
  door: "door-1",
  peopleSpace: "lobby",
};

export function checkSiteShape(shape: SiteShape): SiteShape {
  for (const [key, value] of Object.entries(shape)) {
    if (!NAME_PATTERN.test(value)) {
      throw new LotwatchError(
        "BAD_SCENARIO",
        `${key} must be 1-64 letters, digits, '_', '.', '-', got "${value}"`,
      );
    }
  }
  return shape;
}
