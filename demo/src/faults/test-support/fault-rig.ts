import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createFaultProxy,
  type FaultProxy,
  type LinkShape,
} from "@lotwatch/simulators/fault-proxy/fault-proxy.js";
import pino from "pino";
import { type Feeder, type FeederOptions, startFeeder } from "./feeder.js";
import {
  type AgentService,
  type AgentStatus,
  createAgentService,
  createIngestService,
  type IngestService,
} from "./services.js";

export interface FaultRigOptions {
  gateway: string;
  feeder: FeederOptions;
  /** Put a fault proxy between the agent and the ingest's broker, shaped like this. */
  proxy?: Partial<LinkShape>;
  /** The proxy's drop draws; default Math.random. */
  random?: () => number;
  /** Overrides of the agent's `forward` section. */
  forward?: Record<string, number>;
  /** Overrides of the agent's `buffer` section (caps, reserve, a path on a tmpfs). */
  buffer?: Record<string, string | number>;
  /** An external broker (mqtt://…): the agent publishes to it and the ingest consumes from it. */
  broker?: string;
  /** The agent's `clock` section and extra environment (a test clock offset). */
  clock?: Record<string, string>;
  agentEnv?: NodeJS.ProcessEnv;
}

/**
 * Ingest (with its embedded broker, or consuming from an external one), optional fault proxy,
 * feeder and agent, each in a real process but the proxy and feeder.
 */
export interface FaultRig {
  dir: string;
  gateway: string;
  ingest: IngestService;
  agent: AgentService;
  feeder: Feeder;
  /** null when the agent talks to the ingest directly. */
  proxy: FaultProxy | null;
  /** The last lines of each service's log, for a failure message. */
  logTails(): string;
  close(): Promise<void>;
}

export async function startFaultRig(options: FaultRigOptions): Promise<FaultRig> {
  const dir = mkdtempSync(join(tmpdir(), "lotwatch-faults-"));
  const ingest = createIngestService(dir, options.broker === undefined ? {} : { broker: options.broker });
  let feeder: Feeder | undefined;
  let proxy: FaultProxy | null = null;
  let agent: AgentService | undefined;
  const close = async () => {
    await agent?.stop("SIGKILL");
    await ingest.stop("SIGKILL");
    await proxy?.close();
    await feeder?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const logTails = () =>
    [ingest.logFile, agent?.logFile]
      .filter((file): file is string => file !== undefined && existsSync(file))
      .map((file) => `--- ${file}\n${readFileSync(file, "utf8").trimEnd().split("\n").slice(-20).join("\n")}`)
      .join("\n");
  try {
    await ingest.start();
    feeder = await startFeeder(options.feeder);
    const brokerUrl = new URL(ingest.mqttUrl());
    if (options.proxy !== undefined) {
      proxy = await createFaultProxy({
        target: { host: brokerUrl.hostname, port: Number(brokerUrl.port) },
        shape: options.proxy,
        ...(options.random === undefined ? {} : { random: options.random }),
        logger: pino({ level: "warn", base: { component: "fault-proxy" } }),
      });
    }
    agent = createAgentService({
      dir,
      gateway: options.gateway,
      brokerUrl: proxy === null ? brokerUrl.href : `mqtt://127.0.0.1:${proxy.port}`,
      feederPort: feeder.port,
      ...(options.forward === undefined ? {} : { forward: options.forward }),
      ...(options.buffer === undefined ? {} : { buffer: options.buffer }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.agentEnv === undefined ? {} : { env: options.agentEnv }),
    });
    await agent.start();
    return { dir, gateway: options.gateway, ingest, agent, feeder, proxy, logTails, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Polls the agent until `done` holds; the error names the last status and the timeout. */
export async function waitForAgent(
  agent: AgentService,
  what: string,
  done: (status: AgentStatus) => boolean,
  timeoutMs: number,
): Promise<AgentStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: AgentStatus | string = "no answer yet";
  for (;;) {
    try {
      const status = await agent.status();
      if (done(status)) return status;
      last = status;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `agent: ${what} not reached within ${timeoutMs} ms; last status ${JSON.stringify(last)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
