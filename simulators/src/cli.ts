#!/usr/bin/env node
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { Command, CommanderError } from "commander";
import { BAD_ARGUMENT } from "./cli/bad-argument.js";
import { CAMERA_DEFAULTS, parseCameraArgs, type RawCameraArgs } from "./cli/camera-args.js";
import { runCameraCommand } from "./cli/camera-command.js";
import { type PtyArgs, runPtyCommand } from "./cli/pty-command.js";

const program = new Command("lotwatch-sim")
  .description("lotwatch simulators: fake sensors and cameras for testing the agent and the ingest")
  .exitOverride();

program
  .command("camera")
  .description(
    "send simulated ANPR camera reads to a serial device (e.g. the -sim end of `lotwatch-sim pty`)",
  )
  .requiredOption("--device <path>", "device to write to")
  .option("--count <n>", "reads to send; 0 = until SIGINT/SIGTERM", CAMERA_DEFAULTS.count)
  .option(
    "--rate <perSecond>",
    "reads per second; 0 = as fast as the device takes them",
    CAMERA_DEFAULTS.rate,
  )
  .option("--seed <n>", "seed of the scenario: the same seed sends the same reads", CAMERA_DEFAULTS.seed)
  .option("--entry-lane <id>", "lane of the entry camera", CAMERA_DEFAULTS.entryLane)
  .option("--exit-lane <id>", "lane of the exit camera", CAMERA_DEFAULTS.exitLane)
  .option("--match-rate <share>", "share of exits carrying their entry's plate", CAMERA_DEFAULTS.matchRate)
  .option("--log <file>", "append every read sent as a JSON line (ground truth)")
  .option(
    "--format <format>",
    "line format: jsonl or delimited (type;lane;plate;confidence;occurredAt)",
    CAMERA_DEFAULTS.format,
  )
  .option("--start-at <iso>", "occurredAt of the first read (default: now)")
  .option(
    "--plate-format <pattern>",
    "plates: @ = letter, # = digit, other characters as is",
    CAMERA_DEFAULTS.plateFormat,
  )
  .action(async (raw: RawCameraArgs) => {
    process.exitCode = await runCameraCommand(parseCameraArgs(raw));
  });

program
  .command("pty")
  .description("create a linked pty pair DIR/NAME (for the agent) and DIR/NAME-sim (for a simulator)")
  .requiredOption("--dir <dir>", "folder for the two links (created if missing)")
  .requiredOption("--name <name>", "name of the device link")
  .action(async (args: PtyArgs) => {
    process.exitCode = await runPtyCommand(args);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

/** Usage mistakes exit 2, failures 1; each prints one line (commander prints its own). */
function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof LotwatchError) {
    process.stderr.write(`error: ${error.message}${error.code === BAD_ARGUMENT ? "" : ` (${error.code})`}\n`);
    return error.code === BAD_ARGUMENT ? 2 : 1;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}
