import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildScenario } from "../scenario/scenarios.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { readTruthFile, writeTruthFile } from "./truth-file.js";

describe("truth files", () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await createTempDir();
  });
  afterEach(() => dir.remove());

  it("reads back what was written", async () => {
    const { truth } = buildScenario({
      scenario: "burst",
      seed: 2,
      startAt: Date.parse("2026-11-21T00:00:00Z"),
    });
    await writeTruthFile(join(dir.path, "truth.json"), truth);
    expect(await readTruthFile(join(dir.path, "truth.json"))).toEqual(truth);
  });

  it("says which file is missing, not JSON, or not a truth file", async () => {
    await expect(readTruthFile(join(dir.path, "none.json"))).rejects.toThrow(
      /cannot read the truth file .*none\.json/,
    );
    await writeFile(join(dir.path, "bad.json"), "{");
    await expect(readTruthFile(join(dir.path, "bad.json"))).rejects.toThrow(/bad\.json is not JSON/);
    await writeFile(join(dir.path, "other.json"), '{"v":1}');
    await expect(readTruthFile(join(dir.path, "other.json"))).rejects.toThrow(
      /other\.json is not a lotwatch-sim ground truth file/,
    );
  });
});
