import { setTimeout as sleep } from "node:timers/promises";
import { type Command, Option } from "commander";
import { type Comparison, compareWithIngest, formatComparison } from "../compare/compare.js";
import { readTruthFile } from "../compare/truth-file.js";
import { parseNumber } from "./bad-argument.js";

interface RawCompareArgs {
  truth: string;
  ingest: string;
  apiKey?: string;
  waitS: string;
  json?: boolean;
}

export function registerCompareCommand(program: Command): void {
  program
    .command("compare")
    .description(
      "check the ingest's REST answers (counts at several times, sessions) against a ground truth file",
    )
    .addOption(
      new Option(
        "--truth <file>",
        "ground truth written by `lotwatch-sim scenario --truth`",
      ).makeOptionMandatory(),
    )
    .addOption(
      new Option("--ingest <url>", "the ingest's base URL")
        .env("LOTWATCH_SIM_INGEST")
        .default("http://127.0.0.1:8080"),
    )
    .addOption(
      new Option("--api-key <key>", "REST API key, when the ingest has keys").env("LOTWATCH_SIM_API_KEY"),
    )
    .addOption(
      new Option("--wait-s <seconds>", "keep asking until they agree or this time has passed").default("0"),
    )
    .option("--json", "print the comparison as JSON instead of a table")
    .action(async (raw: RawCompareArgs) => {
      process.exitCode = await runCompareCommand(raw);
    });
}

/** Exit 0 when every check agrees, 1 when one differs (after --wait-s). */
async function runCompareCommand(raw: RawCompareArgs): Promise<number> {
  const waitS = parseNumber(
    "--wait-s",
    raw.waitS,
    (n) => Number.isFinite(n) && n >= 0,
    "a number of seconds ≥ 0",
  );
  const truth = await readTruthFile(raw.truth);
  const deadline = Date.now() + waitS * 1000;
  let comparison: Comparison;
  for (;;) {
    comparison = await compareWithIngest({
      truth,
      ingestUrl: raw.ingest,
      ...(raw.apiKey === undefined ? {} : { apiKey: raw.apiKey }),
    });
    if (comparison.agrees || Date.now() >= deadline) break;
    await sleep(500);
  }
  process.stdout.write(raw.json ? `${JSON.stringify(comparison)}\n` : formatComparison(comparison));
  return comparison.agrees ? 0 : 1;
}
