import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NegativeCount } from "../../counts/clamp.js";
import { campusTopology, laneRead, T0 } from "../../counts/test-support/count-fixtures.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import type { Store } from "../store.js";
import { createSqliteStore } from "./sqlite-store.js";
import { countStepsIn } from "./test-support/count-steps.js";

let dir: TempDir;
let store: Store;
let negatives: NegativeCount[];
const open = () =>
  createSqliteStore({
    path: dir.file("counts.db"),
    topology: campusTopology(),
    logger: createSilentLogger(),
    onNegativeCount: (negative) => negatives.push(negative),
  });

beforeEach(() => {
  dir = createTempDir();
  negatives = [];
  store = open();
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

const insert = (events: LotwatchEvent[], gateway = "gw-1") =>
  store.insertBatch(gateway, events, T0 + 999_000);
const at = async (space: string, t: number) => (await store.countAt("campus", space, T0 + t)).rawCount;

describe("counts in the SQLite store", () => {
  it("counts every event at the same instant at that instant, as one step of their sum", async () => {
    await insert([laneRead(7, 0, "gate-in"), laneRead(3, 0, "gate-in")], "gw-b");
    await insert([laneRead(9, 0, "gate-out")], "gw-a");
    expect(await at("garage", 0)).toBe(1);
    expect(await at("garage", -1)).toBe(0);
    expect(countStepsIn(dir.file("counts.db"))["campus/garage/flow"]).toEqual([[T0, 1]]);
  });
});
