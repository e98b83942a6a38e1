import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NegativeCount } from "../../counts/clamp.js";
import { campusTopology, laneRead, T0 } from "../../counts/test-support/count-fixtures.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import type { Store } from "../store.js";
import { createSqliteStore } from "./sqlite-store.js";

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
  it("orders events at the same instant by gateway and seq, and counts all of them at that instant", async () => {
    await insert([laneRead(7, 0, "gate-in"), laneRead(3, 0, "gate-in")], "gw-b");
    await insert([laneRead(9, 0, "gate-out")], "gw-a");
    expect(await at("garage", 0)).toBe(1);
    expect(await at("garage", -1)).toBe(0);
    const db = new Database(dir.file("counts.db"), { readonly: true });
    const rows = db
      .prepare(
        "SELECT gateway, seq, delta, cum FROM count_timeline WHERE space = 'garage' ORDER BY t, gateway, seq",
      )
      .all();
    db.close();
    expect(rows).toEqual([
      { gateway: "gw-a", seq: 9, delta: -1, cum: -1 },
      { gateway: "gw-b", seq: 3, delta: 1, cum: 0 },
      { gateway: "gw-b", seq: 7, delta: 1, cum: 1 },
    ]);
  });
});
