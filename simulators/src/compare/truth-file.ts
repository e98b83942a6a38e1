import { readFile, rename, writeFile } from "node:fs/promises";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { GroundTruth } from "../scenario/ground-truth.js";

/** Written atomically (temp file + rename), so a reader never sees half a truth file. */
export async function writeTruthFile(path: string, truth: GroundTruth): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(truth, null, 2)}\n`);
  await rename(temp, path);
}

export async function readTruthFile(path: string): Promise<GroundTruth> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new LotwatchError(
      "TRUTH_NOT_FOUND",
      `cannot read the truth file ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  let truth: Partial<GroundTruth> | null;
  try {
    truth = JSON.parse(text) as Partial<GroundTruth> | null;
  } catch (error) {
    throw new LotwatchError("BAD_TRUTH_FILE", `${path} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (
    truth === null ||
    typeof truth !== "object" ||
    truth.version !== 1 ||
    !Array.isArray(truth.counts) ||
    typeof truth.sessions !== "object" ||
    !truth.site
  ) {
    throw new LotwatchError(
      "BAD_TRUTH_FILE",
      `${path} is not a lotwatch-sim ground truth file (version 1 with site, counts and sessions)`,
    );
  }
  return truth as GroundTruth;
}
