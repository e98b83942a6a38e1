import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { builtScript, type RunningChild, shebangNodeFlags, startChild } from "./child.js";

export interface AgentReady {
  httpUrl: string;
  pid: number;
}

export interface AgentProcessOptions {
  dir: string;
  gateway: string;
  site: string;
  brokerUrl: string;
  /** The agent's tcp-serial input connects here (a line feeder). */
  linePort: number;
  forward?: Record<string, number>;
}

export type RunningAgent = RunningChild<AgentReady> & { bufferPath: string };

/** The real `lotwatch-agent run` (edge-agent/dist/cli.js, with its shebang's Node flags) with one tcp-serial jsonl input. */
export async function startAgentProcess(options: AgentProcessOptions): Promise<RunningAgent> {
  const stamp = Date.now();
  const configPath = join(options.dir, `agent-${stamp}.json`);
  const bufferPath = join(options.dir, `buffer-${stamp}.db`);
  const config = {
    gateway: { id: options.gateway, site: options.site },
    broker: { url: options.brokerUrl },
    buffer: { path: bufferPath },
    http: { port: 0, host: "127.0.0.1" },
    ...(options.forward === undefined ? {} : { forward: options.forward }),
    inputs: [
      {
        type: "tcp-serial",
        name: "bench",
        host: "127.0.0.1",
        port: options.linePort,
        format: "jsonl",
        reopenMinMs: 50,
        reopenMaxMs: 500,
      },
    ],
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const readyFile = join(options.dir, `agent-ready-${stamp}.json`);
  const script = builtScript("@lotwatch/edge-agent/cli.js");
  const child = await startChild<AgentReady>({
    label: "lotwatch-agent",
    script,
    // With the flags `lotwatch-agent` itself starts Node with (its shebang), as a gateway runs it.
    nodeArgs: shebangNodeFlags(script),
    args: ["run", "--config", configPath, "--ready-file", readyFile],
    readyFile,
  });
  return { ...child, bufferPath };
}

export interface AgentStatusView {
  backlog: number;
  accepted: number;
  malformed: number;
  connected: boolean;
  buffer?: { bytes: number };
}

export async function agentStatus(httpUrl: string): Promise<AgentStatusView> {
  const response = await fetch(`${httpUrl}/v1/status`);
  return (await response.json()) as AgentStatusView;
}

/** V8 heap figures of a running agent, from its Prometheus `/metrics` (prom-client's defaults). */
export async function agentHeap(
  httpUrl: string,
): Promise<{ heapUsed: number; heapTotal: number; external: number }> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const gauge = (name: string) => {
    const match = new RegExp(`^lotwatch_agent_${name} (\\S+)$`, "m").exec(text);
    return match === null ? Number.NaN : Number(match[1]);
  };
  return {
    heapUsed: gauge("nodejs_heap_size_used_bytes"),
    heapTotal: gauge("nodejs_heap_size_total_bytes"),
    external: gauge("nodejs_external_memory_bytes"),
  };
}
