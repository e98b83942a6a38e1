import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Service, startService, waitForReadyFile } from "../../processes.js";
import { DEMO_SITE, DEMO_TOPOLOGY } from "../../system.js";
import { getJson } from "../../test-support/http.js";

const require = createRequire(import.meta.url);
const bins = {
  ingest: require.resolve("@lotwatch/cloud-ingest/cli.js"),
  agent: require.resolve("@lotwatch/edge-agent/cli.js"),
};

/** Fault tests leave the logs at info: they are the first thing to read when a figure is off. */
const LOG_ENV = { LOTWATCH_LOG_LEVEL: process.env.LOTWATCH_LOG_LEVEL ?? "info" };
/** How long a service may take to start on a busy two-core machine. */
const READY_TIMEOUT_MS = 30_000;

/** Children run in their own process groups; should the test process die, take them along. */
const live = new Set<Service>();
process.once("exit", () => {
  for (const service of live) service.child.kill("SIGKILL");
});

/** A service that can be killed and started again with the same files (and, for the ingest, ports). */
export interface RestartableService {
  readonly name: string;
  readonly logFile: string;
  /** Starts the process and waits until it is ready. */
  start(): Promise<void>;
  /** SIGKILL, or SIGTERM with a grace period; resolves with the exit code once it is gone. */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<number | null>;
  running(): boolean;
  /** Times started so far. */
  starts(): number;
  /** The running process's id, or null when stopped. */
  pid(): number | null;
}

interface Ready {
  httpUrl: string;
  mqttUrl?: string;
}

function restartable(
  name: string,
  dir: string,
  args: (readyFile: string) => string[],
  onReady: (ready: Ready) => void,
  env: NodeJS.ProcessEnv = {},
): RestartableService {
  const readyFile = join(dir, `${name}.ready.json`);
  const logFile = join(dir, `${name}.log`);
  let service: Service | null = null;
  let starts = 0;
  return {
    name,
    logFile,
    async start() {
      // A killed process leaves its ready file behind; a stale one would pass for the new process.
      rmSync(readyFile, { force: true });
      starts++;
      const started = startService({ name, args: args(readyFile), logFile, env: { ...LOG_ENV, ...env } });
      service = started;
      live.add(started);
      void started.exited.then(() => live.delete(started));
      onReady(await waitForReadyFile<Ready>(started, readyFile, READY_TIMEOUT_MS));
    },
    async stop(signal = "SIGTERM") {
      const current = service;
      service = null;
      return current === null ? null : current.stop(signal, 15_000);
    },
    running: () => service !== null && service.child.exitCode === null && service.child.signalCode === null,
    starts: () => starts,
    pid: () => service?.child.pid ?? null,
  };
}

export interface IngestService extends RestartableService {
  readonly dbPath: string;
  /** Set after the first start; later starts reuse the same ports. */
  httpUrl(): string;
  mqttUrl(): string;
}

export interface IngestServiceOptions {
  /** Consume from this broker (`--broker`) with a persistent session instead of embedding one. */
  broker?: string;
  /** More command-line options (`--gateways FILE`). */
  args?: string[];
}

/** The ingest consumer's fixed client id at an external broker: its session outlives restarts. */
const INGEST_CLIENT_ID = "lotwatch-ingest-faults";

/**
 * The ingest with its embedded broker on free ports, then on those same ports on every restart;
 * or, with `broker`, consuming from that broker.
 */
export function createIngestService(dir: string, options: IngestServiceOptions = {}): IngestService {
  const dbPath = join(dir, "ingest.db");
  let httpUrl = "";
  let mqttUrl = "";
  const portOf = (url: string) => (url === "" ? "0" : new URL(url).port);
  const brokerArgs = () =>
    options.broker === undefined
      ? ["--mqtt-port", portOf(mqttUrl)]
      : ["--broker", options.broker, "--client-id", INGEST_CLIENT_ID];
  const service = restartable(
    "ingest",
    dir,
    (readyFile) => [
      bins.ingest,
      "--topology",
      DEMO_TOPOLOGY,
      "--db",
      dbPath,
      "--http-port",
      portOf(httpUrl),
      ...brokerArgs(),
      ...(options.args ?? []),
      "--ready-file",
      readyFile,
    ],
    (ready) => {
      httpUrl = ready.httpUrl;
      mqttUrl = ready.mqttUrl ?? "";
    },
  );
  return { ...service, dbPath, httpUrl: () => httpUrl, mqttUrl: () => mqttUrl };
}

export interface AgentServiceOptions {
  dir: string;
  gateway: string;
  brokerUrl: string;
  /** The feeder's port: the agent reads it as a tcp-serial input. */
  feederPort: number;
  /** Overrides of the agent's `forward` section (batch sizes, window). */
  forward?: Record<string, number>;
  /** Overrides of the agent's `buffer` section (caps, reserve); `path` puts it elsewhere (a tmpfs). */
  buffer?: Record<string, string | number>;
  /** The agent's `clock` section (syncCheck, syncFile). */
  clock?: Record<string, string>;
  /** Extra environment of the agent process (a test clock offset). */
  env?: NodeJS.ProcessEnv;
}

/** What the fault tests read from the agent's `GET /v1/status`. */
export interface AgentStatus {
  connected: boolean;
  backlog: number;
  accepted: number;
  malformed: number;
  /** Readings dropped by the cap or a full disk, since the buffer was created. */
  dropped: number;
  buffer: {
    bytes: number;
    /** Readings are refused: the disk is full and nothing is left to drop. */
    diskFull: boolean;
    /** SQLITE_FULL answers since the process started. */
    diskFullEvents: number;
    /** Readings refused since the process started. */
    refused: number;
    reserve: boolean;
  };
}

export interface AgentService extends RestartableService {
  readonly bufferPath: string;
  status(): Promise<AgentStatus>;
  /** The agent's local HTTP API, as of its last start. */
  httpUrl(): string;
  /** `GET /healthz` answered 200. */
  healthy(): Promise<boolean>;
}

/** The agent with a tcp-serial input and quick reconnects, so a restored link is used within a second. */
export function createAgentService(options: AgentServiceOptions): AgentService {
  const bufferPath = String(options.buffer?.path ?? join(options.dir, "agent-buffer.db"));
  const configPath = join(options.dir, "agent.json");
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        gateway: { id: options.gateway, site: DEMO_SITE },
        broker: { url: options.brokerUrl, keepaliveSeconds: 10 },
        buffer: { ...options.buffer, path: bufferPath },
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        http: { port: 0, host: "127.0.0.1" },
        forward: { reconnectMinMs: 50, reconnectMaxMs: 1_000, ...options.forward },
        inputs: [
          {
            type: "tcp-serial",
            name: "feeder",
            host: "127.0.0.1",
            port: options.feederPort,
            format: "jsonl",
            reopenMinMs: 50,
            reopenMaxMs: 500,
          },
        ],
      },
      null,
      2,
    ),
  );
  let httpUrl = "";
  const service = restartable(
    "agent",
    options.dir,
    (readyFile) => [bins.agent, "run", "--config", configPath, "--ready-file", readyFile],
    (ready) => {
      httpUrl = ready.httpUrl;
    },
    options.env,
  );
  return {
    ...service,
    bufferPath,
    status: () => getJson<AgentStatus>(`${httpUrl}/v1/status`),
    httpUrl: () => httpUrl,
    healthy: () =>
      fetch(`${httpUrl}/healthz`).then(
        (response) => response.ok,
        () => false,
      ),
  };
}
