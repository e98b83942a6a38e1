import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { createPtyPair, type PtyPair } from "@lotwatch/simulators/pty/pty-pair.js";
import pino from "pino";
import { type Service, startService, waitForReadyFile } from "./processes.js";

const quietLogger = pino({ level: "warn" });
const require = createRequire(import.meta.url);
/** The compiled entry points of the services, resolved through the workspace packages. */
const bins = {
  ingest: require.resolve("@lotwatch/cloud-ingest/cli.js"),
  agent: require.resolve("@lotwatch/edge-agent/cli.js"),
  sim: require.resolve("@lotwatch/simulators/cli.js"),
};

export const DEMO_TOPOLOGY = resolve(import.meta.dirname, "..", "..", "examples", "demo", "topology.yaml");
export const DEMO_SITE = "mall-a";
export const DEMO_GATEWAY = "gw-demo-1";

export interface DemoCameraOptions {
  /** Reads to send; 0 sends until the system stops. */
  count: number;
  /** Reads per second; 0 sends as fast as the serial line takes them. */
  rate: number;
  seed: number;
  /** JSONL file of every read the camera sent: the ground truth. */
  log?: string;
}

export interface DemoOptions {
  /** Folder for the databases, logs, configs and pty links of this run. */
  dir: string;
  /** The simulated camera; null leaves the serial line to the caller (`pty.simPath`). */
  camera: DemoCameraOptions | null;
  topology?: string;
  /** Ports of the ingest; undefined keeps its defaults (8080, 1883), which move when taken. */
  httpPort?: number;
  mqttPort?: number;
}

export interface DemoSystem {
  ingestUrl: string;
  mqttUrl: string;
  agentUrl: string;
  camera: Service | null;
  pty: PtyPair;
  services: Service[];
  stop(): Promise<void>;
}

interface IngestReady {
  httpUrl: string;
  mqttUrl: string;
}
interface AgentReady {
  httpUrl: string;
}

/**
 * Starts ingest, agent and a simulated ANPR camera writing into a real pseudo-terminal the agent
 * reads as its serial port. Whatever fails half-way is stopped again before the error is thrown.
 */
export async function startDemoSystem(options: DemoOptions): Promise<DemoSystem> {
  const services: Service[] = [];
  let pty: PtyPair | undefined;
  // Services run in their own process groups; should this process die without stop(), take them along.
  const killLeftovers = () => {
    for (const service of services) service.child.kill("SIGKILL");
    if (pty) process.kill(pty.pid, "SIGKILL");
  };
  process.once("exit", killLeftovers);
  const stop = async () => {
    process.off("exit", killLeftovers);
    for (const service of [...services].reverse()) await service.stop();
    await pty?.close();
  };
  try {
    const ingestArgs = [bins.ingest, "--topology", options.topology ?? DEMO_TOPOLOGY];
    ingestArgs.push(
      "--db",
      join(options.dir, "ingest.db"),
      "--ready-file",
      join(options.dir, "ingest.ready.json"),
    );
    if (options.httpPort !== undefined) ingestArgs.push("--http-port", String(options.httpPort));
    if (options.mqttPort !== undefined) ingestArgs.push("--mqtt-port", String(options.mqttPort));
    const ingest = startService({
      name: "ingest",
      args: ingestArgs,
      logFile: join(options.dir, "ingest.log"),
    });
    services.push(ingest);
    const ingestReady = await waitForReadyFile<IngestReady>(ingest, join(options.dir, "ingest.ready.json"));

    pty = await createPtyPair({ dir: options.dir, name: "cam0", detached: true, logger: quietLogger });

    const agentConfig = join(options.dir, "agent.json");
    writeFileSync(
      agentConfig,
      JSON.stringify(
        {
          gateway: { id: DEMO_GATEWAY, site: DEMO_SITE },
          broker: { url: ingestReady.mqttUrl },
          buffer: { path: join(options.dir, "agent-buffer.db") },
          http: { port: 0, host: "127.0.0.1" },
          inputs: [{ type: "serial", name: "cam0", path: pty.devicePath, baudRate: 115200, format: "jsonl" }],
        },
        null,
        2,
      ),
    );
    const agentReadyFile = join(options.dir, "agent.ready.json");
    const agent = startService({
      name: "agent",
      args: [bins.agent, "run", "--config", agentConfig, "--ready-file", agentReadyFile],
      logFile: join(options.dir, "agent.log"),
    });
    services.push(agent);
    const agentReady = await waitForReadyFile<AgentReady>(agent, agentReadyFile);

    const camera = options.camera && startCamera(options.dir, pty.simPath, options.camera);
    if (camera) services.push(camera);

    return {
      ingestUrl: ingestReady.httpUrl,
      mqttUrl: ingestReady.mqttUrl,
      agentUrl: agentReady.httpUrl,
      camera,
      pty,
      services,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The ANPR camera simulator writing into `device`; `startDemoSystem` starts one unless told not to. */
export function startCamera(dir: string, device: string, camera: DemoCameraOptions): Service {
  const args = [
    bins.sim,
    "camera",
    "--device",
    device,
    "--count",
    String(camera.count),
    "--rate",
    String(camera.rate),
  ];
  args.push("--seed", String(camera.seed), "--entry-lane", "entry-1", "--exit-lane", "exit-1");
  if (camera.log) args.push("--log", camera.log);
  return startService({ name: "camera", args, logFile: join(dir, "camera.log") });
}
