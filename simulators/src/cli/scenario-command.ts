import { rename, writeFile } from "node:fs/promises";
import cliProgress from "cli-progress";
import { type Command, Option } from "commander";
import { writeTruthFile } from "../compare/truth-file.js";
import { createLogger } from "../log.js";
import { createHttpPushOutput } from "../outputs/http-push-output.js";
import { createMqttOutput } from "../outputs/mqtt-output.js";
import type { Output } from "../outputs/output.js";
import { createPtyOutput } from "../outputs/pty-output.js";
import { createTcpSerialOutput } from "../outputs/tcp-serial-output.js";
import { runScenario } from "../scenario/run-scenario.js";
import { buildScenario, SCENARIO_NAMES, type ScenarioName } from "../scenario/scenarios.js";
import { badArgument, parseNumber } from "./bad-argument.js";
import { listenForStop } from "./signals.js";

const OUTPUTS = ["tcp-serial", "pty", "http", "mqtt"] as const;

/** Every option also reads `LOTWATCH_SIM_<NAME>` (for containers); the command line wins. */
function option(flags: string, description: string, env: string, fallback?: string): Option {
  const created = new Option(flags, description).env(`LOTWATCH_SIM_${env}`);
  return fallback === undefined ? created : created.default(fallback);
}

interface RawScenarioArgs {
  seed: string;
  startAt?: string;
  hours: string;
  vehicles?: string;
  people: string;
  matchRate: string;
  misreadRate: string;
  doubleReadRate: string;
  speed: string;
  only?: string;
  truth?: string;
  site: string;
  entryLane: string;
  exitLane: string;
  space: string;
  door: string;
  doorSpace: string;
  output: string;
  listen: string;
  device?: string;
  agentUrl?: string;
  token?: string;
  broker?: string;
  gateway?: string;
  username?: string;
  password?: string;
  firstSeq: string;
  readyFile?: string;
}

export function registerScenarioCommand(program: Command): void {
  program
    .command("scenario")
    .description(
      "run a seeded scenario (mall-day, burst, offline-gateway) into an agent or broker; write its ground truth",
    )
    .argument("<name>", `one of ${SCENARIO_NAMES.join(", ")}`)
    .addOption(option("--seed <n>", "the same seed and options send the same readings", "SEED", "1"))
    .addOption(option("--start-at <iso>", "simulated start (default: last midnight UTC)", "START_AT"))
    .addOption(option("--hours <h>", "simulated hours", "HOURS", "24"))
    .addOption(option("--vehicles <n>", "vehicles arriving (default 400; burst 500)", "VEHICLES"))
    .addOption(option("--people <n>", "visitors through the door", "PEOPLE", "600"))
    .addOption(option("--match-rate <p>", "share of exits carrying their entry's plate", "MATCH_RATE", "0.8"))
    .addOption(
      option(
        "--misread-rate <p>",
        "share of those read with one confusable character wrong",
        "MISREAD_RATE",
        "0.1",
      ),
    )
    .addOption(
      option("--double-read-rate <p>", "share of reads sent twice, 2-20 s apart", "DOUBLE_READ_RATE", "0.05"),
    )
    .addOption(
      option("--speed <x>", "simulated seconds per real second; 0 = as fast as possible", "SPEED", "0"),
    )
    .addOption(
      option(
        "--only <ids>",
        "send only these lanes/doors, comma-separated (one simulator per gateway)",
        "ONLY",
      ),
    )
    .addOption(
      option("--truth <file>", "write the ground truth JSON here (for `lotwatch-sim compare`)", "TRUTH"),
    )
    .addOption(option("--site <id>", "site id", "SITE", "mall-a"))
    .addOption(option("--entry-lane <id>", "entry camera's lane", "ENTRY_LANE", "entry-1"))
    .addOption(option("--exit-lane <id>", "exit camera's lane", "EXIT_LANE", "exit-1"))
    .addOption(option("--space <id>", "space the lanes lead into", "SPACE", "lot"))
    .addOption(option("--door <id>", "people counter's door (from outside)", "DOOR", "door-1"))
    .addOption(option("--door-space <id>", "space the door leads into", "DOOR_SPACE", "lobby"))
    .addOption(option("--output <kind>", OUTPUTS.join(" | "), "OUTPUT", "tcp-serial"))
    .addOption(
      option(
        "--listen <host:port>",
        "tcp-serial: where the agent connects; port 0 = any",
        "LISTEN",
        "127.0.0.1:4001",
      ),
    )
    .addOption(
      option(
        "--device <path>",
        "pty: the device to write, e.g. the -sim end of `lotwatch-sim pty`",
        "DEVICE",
      ),
    )
    .addOption(option("--agent-url <url>", "http: the agent's HTTP base URL", "AGENT_URL"))
    .addOption(option("--token <token>", "http: the camera-http input's bearer token", "TOKEN"))
    .addOption(option("--broker <url>", "mqtt: broker URL", "BROKER"))
    .addOption(option("--gateway <id>", "mqtt: gateway id to publish as", "GATEWAY"))
    .addOption(option("--username <u>", "mqtt: username", "USERNAME"))
    .addOption(option("--password <p>", "mqtt: password (prefer the variable)", "PASSWORD"))
    .addOption(option("--first-seq <n>", "mqtt: seq of the first event", "FIRST_SEQ", "1"))
    .addOption(
      option(
        "--ready-file <file>",
        "written as JSON once the output is ready (e.g. the port chosen)",
        "READY_FILE",
      ),
    )
    .action(async (name: string, raw: RawScenarioArgs) => {
      process.exitCode = await runScenarioCommand(name, raw);
    });
}

async function runScenarioCommand(name: string, raw: RawScenarioArgs): Promise<number> {
  if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
    throw badArgument(`scenario must be one of ${SCENARIO_NAMES.join(", ")}, got "${name}"`);
  }
  const share = (flag: string, value: string) =>
    parseNumber(flag, value, (n) => n >= 0 && n <= 1, "a number from 0 to 1");
  const whole = (flag: string, value: string) =>
    parseNumber(flag, value, (n) => Number.isSafeInteger(n) && n >= 0, "an integer ≥ 0");
  const startAt = raw.startAt === undefined ? lastMidnight() : Date.parse(raw.startAt);
  if (Number.isNaN(startAt)) throw badArgument(`--start-at must be an ISO-8601 time, got "${raw.startAt}"`);
  const plan = buildScenario({
    scenario: name as ScenarioName,
    seed: parseNumber("--seed", raw.seed, Number.isSafeInteger, "an integer"),
    startAt,
    hours: parseNumber("--hours", raw.hours, (n) => n > 0 && n <= 336, "a number of hours in (0, 336]"),
    ...(raw.vehicles === undefined ? {} : { vehicles: whole("--vehicles", raw.vehicles) }),
    people: whole("--people", raw.people),
    matchRate: share("--match-rate", raw.matchRate),
    misreadRate: share("--misread-rate", raw.misreadRate),
    doubleReadRate: share("--double-read-rate", raw.doubleReadRate),
    shape: {
      site: raw.site,
      entryLane: raw.entryLane,
      exitLane: raw.exitLane,
      vehicleSpace: raw.space,
      door: raw.door,
      peopleSpace: raw.doorSpace,
    },
  });
  const speed = parseNumber("--speed", raw.speed, (n) => Number.isFinite(n) && n >= 0, "a number ≥ 0");
  const only =
    raw.only === undefined
      ? undefined
      : new Set(
          raw.only
            .split(",")
            .map((id) => id.trim())
            .filter(Boolean),
        );
  if (raw.truth !== undefined) await writeTruthFile(raw.truth, plan.truth);

  const logger = createLogger("scenario");
  const output = await openOutput(raw);
  logger.info({ scenario: name, ...output.describe, readings: plan.readings.length }, "output ready");
  if (raw.readyFile !== undefined) {
    // Temp file + rename: a watcher never reads a half-written ready file.
    const temp = `${raw.readyFile}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(output.describe)}\n`);
    await rename(temp, raw.readyFile);
  }

  const stop = listenForStop();
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${name} [{bar}] {value}/{total} readings | {eta_formatted} left`,
      hideCursor: true,
      // In a container or a log file (no terminal), one progress line every 5 s instead of a redrawn bar.
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(only === undefined ? plan.readings.length : 0, 0);
  try {
    const summary = await runScenario({
      readings: plan.readings,
      output,
      speed,
      ...(only === undefined ? {} : { only }),
      signal: stop.signal,
      onProgress: (sent, total) => {
        bar.setTotal(total);
        bar.update(sent);
      },
    });
    bar.stop();
    await output.close();
    process.stdout.write(
      `${JSON.stringify({ scenario: name, seed: plan.truth.seed, ...summary, truth: raw.truth ?? null })}\n`,
    );
    return stop.exitCode();
  } finally {
    bar.stop();
    stop.dispose();
  }
}

async function openOutput(raw: RawScenarioArgs): Promise<Output> {
  const need = (value: string | undefined, flag: string): string => {
    if (value === undefined) throw badArgument(`--output ${raw.output} needs ${flag}`);
    return value;
  };
  switch (raw.output) {
    case "tcp-serial": {
      const match = /^(.*):(\d+)$/.exec(raw.listen);
      if (match === null) throw badArgument(`--listen must be HOST:PORT, got "${raw.listen}"`);
      const port = parseNumber(
        "--listen",
        match[2] as string,
        (n) => n >= 0 && n <= 65535,
        "a port from 0 to 65535",
      );
      return createTcpSerialOutput({ host: match[1] as string, port });
    }
    case "pty":
      return createPtyOutput(need(raw.device, "--device"));
    case "http":
      return createHttpPushOutput({
        agentUrl: need(raw.agentUrl, "--agent-url"),
        ...(raw.token === undefined ? {} : { token: raw.token }),
      });
    case "mqtt":
      return createMqttOutput({
        brokerUrl: need(raw.broker, "--broker"),
        gateway: need(raw.gateway, "--gateway"),
        site: raw.site,
        ...(raw.username === undefined ? {} : { username: raw.username }),
        ...(raw.password === undefined ? {} : { password: raw.password }),
        firstSeq: parseNumber(
          "--first-seq",
          raw.firstSeq,
          (n) => Number.isSafeInteger(n) && n >= 1,
          "an integer ≥ 1",
        ),
      });
    default:
      throw badArgument(`--output must be one of ${OUTPUTS.join(", ")}, got "${raw.output}"`);
  }
}

function lastMidnight(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}
