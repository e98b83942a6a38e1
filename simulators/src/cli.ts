#!/usr/bin/env node
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { Command, CommanderError } from "commander";
import { BAD_ARGUMENT } from "./cli/bad-argument.js";
import { CAMERA_DEFAULTS, parseCameraArgs, type RawCameraArgs } from "./cli/camera-args.js";
import { runCameraCommand } from "./cli/camera-command.js";
import { registerCompareCommand } from "./cli/compare-command.js";
import { type PtyArgs, runPtyCommand } from "./cli/pty-command.js";
import { registerScenarioCommand } from "./cli/scenario-command.js";
import {
  type RawSummaryReceiverArgs,
  runSummaryReceiverCommand,
  SUMMARY_RECEIVER_DEFAULTS,
} from "./cli/summary-receiver-command.js";
import {
  FAULT_PROXY_DEFAULTS,
  parseFaultProxyArgs,
  type RawFaultProxyArgs,
} from "./fault-proxy/fault-proxy-args.js";
import { runFaultProxyCommand } from "./fault-proxy/fault-proxy-command.js";
import {
  MODBUS_SLAVE_DEFAULTS,
  parseModbusSlaveArgs,
  type RawModbusSlaveArgs,
} from "./modbus-slave/modbus-slave-args.js";
import { runModbusSlaveCommand } from "./modbus-slave/modbus-slave-command.js";

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

program
  .command("fault-proxy")
  .description("a TCP proxy whose link can be cut, stalled or slowed, remote-controlled over HTTP")
  .requiredOption("--listen <port>", "port to listen on; 0 = any free port")
  .requiredOption("--target <host:port>", "where connections are forwarded, e.g. 127.0.0.1:1883")
  .option("--host <address>", "address the proxy and its control port listen on", FAULT_PROXY_DEFAULTS.host)
  .option(
    "--control-port <port>",
    "HTTP control port (POST /cut, /stall, /restore, /latency?ms=…); 0 = any free port",
  )
  .option("--latency <ms>", "added latency per chunk, each direction", FAULT_PROXY_DEFAULTS.latency)
  .option(
    "--bandwidth <bytesPerSecond>",
    "per connection and direction; 0 = unlimited",
    FAULT_PROXY_DEFAULTS.bandwidth,
  )
  .option("--drop <probability>", "chance per chunk that its connection is reset", FAULT_PROXY_DEFAULTS.drop)
  .option(
    "--loss <probability>",
    "chance per chunk that it is lost and retransmitted (arrives 200 ms+ late)",
    FAULT_PROXY_DEFAULTS.loss,
  )
  .option("--seed <n>", "seed of the drop draws (default: unseeded)")
  .action(async (raw: RawFaultProxyArgs) => {
    process.exitCode = await runFaultProxyCommand(parseFaultProxyArgs(raw));
  });

program
  .command("modbus-slave")
  .description(
    "a Modbus RTU bus of bay sensors on a pty end; stdout: JSON lines (ready, change, stats); stdin: control lines",
  )
  .requiredOption("--device <path>", "the simulator's end of a pty pair (DIR/NAME-sim of `lotwatch-sim pty`)")
  .option("--units <list>", 'unit ids on the bus, e.g. "1-8,12"', MODBUS_SLAVE_DEFAULTS.units)
  .option(
    "--slots-per-unit <n>",
    "bays per unit: registers 0..n-1, 1 = occupied",
    MODBUS_SLAVE_DEFAULTS.slotsPerUnit,
  )
  .option(
    "--flip-every <ms>",
    "flip a random bay this often; 0 = only on command",
    MODBUS_SLAVE_DEFAULTS.flipEvery,
  )
  .option("--seed <n>", "seed of the random flips", MODBUS_SLAVE_DEFAULTS.seed)
  .option(
    "--crc-error-rate <share>",
    "with each random flip, the chance that the next answer gets a corrupted CRC",
    MODBUS_SLAVE_DEFAULTS.crcErrorRate,
  )
  .action(async (raw: RawModbusSlaveArgs) => {
    process.exitCode = await runModbusSlaveCommand(parseModbusSlaveArgs(raw));
  });

program
  .command("summary-receiver")
  .description("receive the ingest's summary webhook as a billing system would: append each record to a file")
  .requiredOption("--out <file>", "append every received record here as a JSON line")
  .option("--port <port>", "port to listen on; 0 = any free port", SUMMARY_RECEIVER_DEFAULTS.port)
  .option("--host <host>", "address to listen on", SUMMARY_RECEIVER_DEFAULTS.host)
  .option("--fail-first <n>", "answer the first N requests with 503", SUMMARY_RECEIVER_DEFAULTS.failFirst)
  .action(async (args: RawSummaryReceiverArgs) => {
    process.exitCode = await runSummaryReceiverCommand(args);
  });

registerScenarioCommand(program);
registerCompareCommand(program);

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
