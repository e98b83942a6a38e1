#!/usr/bin/env node
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { DEMO_SITE, type DemoSystem, startDemoSystem } from "./system.js";

const STATUS_EVERY_MS = 5_000;
/** Files one demo run leaves in its folder; removed at the next start so each run begins empty. */
const RUN_FILES = ["ingest.db", "ingest.db-wal", "ingest.db-shm", "agent-buffer.db", "agent-buffer.db-wal"]
  .concat(["agent-buffer.db-shm", "ingest.log", "agent.log", "camera.log", "agent.json", "reads.jsonl"])
  .concat(["ingest.ready.json", "agent.ready.json"]);

function nonNegative(name: string) {
  return (value: string) => {
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0)
      throw new InvalidArgumentError(`${name} must be a number ≥ 0`);
    return number;
  };
}

const program = new Command("lotwatch-demo")
  .description(
    "Runs the whole system on its embedded defaults: the ingest (SQLite + embedded MQTT broker + REST), one agent, and a simulated ANPR camera on a real pseudo-terminal.",
  )
  .option("--dir <path>", "folder for databases, logs and pty links", ".lotwatch/demo")
  .option("--rate <reads/s>", "camera reads per second", nonNegative("--rate"), 2)
  .option("--seed <n>", "seed of the simulated traffic", nonNegative("--seed"), 1)
  .option("--http-port <port>", "ingest HTTP port (default 8080, moves if taken)", nonNegative("--http-port"))
  .option(
    "--mqtt-port <port>",
    "embedded broker port (default 1883, moves if taken)",
    nonNegative("--mqtt-port"),
  )
  .parse();

const options = program.opts<{
  dir: string;
  rate: number;
  seed: number;
  httpPort?: number;
  mqttPort?: number;
}>();
const dir = resolve(options.dir);
mkdirSync(dir, { recursive: true });
for (const file of RUN_FILES) rmSync(join(dir, file), { force: true });

console.log(`lotwatch demo: starting ingest, agent and camera (files in ${dir})`);
let system: DemoSystem;
try {
  system = await startDemoSystem({
    dir,
    httpPort: options.httpPort,
    mqttPort: options.mqttPort,
    camera: { count: 0, rate: options.rate, seed: options.seed, log: join(dir, "reads.jsonl") },
  });
} catch (error) {
  console.error(`lotwatch demo could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const movedNote = (option: number | undefined, url: string, standard: number, what: string) =>
  option === undefined && new URL(url).port !== String(standard)
    ? `\n  note: port ${standard} was taken, so the ${what} moved to port ${new URL(url).port}`
    : "";
console.log(`
  dashboard     ${system.ingestUrl}/
  REST API      ${system.ingestUrl}/v1/sites/${DEMO_SITE}/spaces
  one count     ${system.ingestUrl}/v1/sites/${DEMO_SITE}/spaces/lot/count
  MQTT broker   ${system.mqttUrl}
  agent status  ${system.agentUrl}/v1/status
  logs          ${dir}/{ingest,agent,camera}.log${movedNote(options.httpPort, system.ingestUrl, 8080, "REST API")}${movedNote(options.mqttPort, system.mqttUrl, 1883, "embedded MQTT broker")}

Press Ctrl-C to stop.
`);

const statusTimer = setInterval(async () => {
  try {
    const count = (await (
      await fetch(`${system.ingestUrl}/v1/sites/${DEMO_SITE}/spaces/lot/count`)
    ).json()) as {
      count: number;
      capacity?: number;
    };
    const agent = (await (await fetch(`${system.agentUrl}/v1/status`)).json()) as { backlog: number };
    console.log(`lot: ${count.count}/${count.capacity ?? "?"} vehicles, agent backlog ${agent.backlog}`);
  } catch (error) {
    console.log(`status unavailable: ${error instanceof Error ? error.message : String(error)}`);
  }
}, STATUS_EVERY_MS);

let stopping = false;
for (const service of system.services) {
  service.exited.then((code) => {
    if (!stopping)
      console.error(`${service.name} exited unexpectedly (code ${code}); see ${service.logFile}`);
  });
}

async function shutdown() {
  if (stopping) {
    console.log("stopping now (second signal): killing what is left");
    for (const service of system.services) service.child.kill("SIGKILL");
    return;
  }
  stopping = true;
  clearInterval(statusTimer);
  console.log("\nstopping camera, agent and ingest…");
  await system.stop();
  console.log("stopped; no process or pty link is left behind");
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
