import { randomUUID } from "node:crypto";
import type { Reading } from "@lotwatch/protocol/events.js";
import { createApiApp } from "./api/app.js";
import { type RunningHttpServer, startHttpServer } from "./api/http-server.js";
import type { AgentStatus } from "./api/routes/status.js";
import { createEventBuffer, type EventBuffer } from "./buffer/event-buffer.js";
import { createLogger, type Logger } from "./common/logger.js";
import { agentVersion } from "./common/version.js";
import type { AgentConfig } from "./config/schema.js";
import { createForwarder, type Forwarder } from "./forward/forwarder.js";
import type { Input, ReadingSink } from "./inputs/input.js";
import { createInputRegistry, defaultInputFactories, type InputFactories } from "./inputs/registry.js";
import { type AgentMetrics, createAgentMetrics } from "./metrics/agent-metrics.js";

export interface AgentOptions {
  config: AgentConfig;
  /** A logger per component; defaults to pino on stdout. */
  loggerFor?: (component: string) => Logger;
  inputFactories?: InputFactories;
  /** Export process metrics (CPU, memory); default true. */
  processMetrics?: boolean;
}

export interface Agent {
  readonly bootId: string;
  readonly buffer: EventBuffer;
  readonly metrics: AgentMetrics;
  /** Starts HTTP, the forwarder and the inputs; resolves once the HTTP server listens. */
  start(): Promise<{ httpUrl: string }>;
  /** Stops inputs, commits what they handed over, says goodbye to the broker, closes HTTP and the buffer. */
  stop(): Promise<void>;
  status(): AgentStatus;
}

/** The pipeline: inputs → buffer (durable) → forwarder (MQTT), with the local HTTP API beside it. */
export function createAgent(options: AgentOptions): Agent {
  const { config } = options;
  const loggerFor = options.loggerFor ?? createLogger;
  const logger = loggerFor("agent");
  const bootId = randomUUID();
  const version = agentVersion();
  const buffer = createEventBuffer({
    path: config.buffer.path,
    synchronous: config.buffer.synchronous,
    gatewayId: config.gateway.id,
    site: config.gateway.site,
    bootId,
    logger: loggerFor("buffer"),
  });

  let forwarder: Forwarder;
  const metrics = createAgentMetrics({
    processMetrics: options.processMetrics,
    sources: {
      depth: () => buffer.depth(),
      oldestPendingAt: () => buffer.oldestPendingAt(),
      connected: () => forwarder.connected(),
    },
  });
  try {
    forwarder = createForwarder({
      gateway: config.gateway,
      broker: config.broker,
      forward: config.forward,
      buffer,
      bootId,
      version,
      logger: loggerFor("forwarder"),
      observer: metrics,
    });
  } catch (error) {
    buffer.close();
    throw error;
  }

  const registry = createInputRegistry(options.inputFactories ?? defaultInputFactories);
  const pendingAccepts = new Set<Promise<unknown>>();
  let inputs: Input[] = [];
  let server: RunningHttpServer | null = null;
  let stopped: Promise<void> | null = null;

  /** The agent awaits the commit here, so an input's reading counts as received only once it is durable. */
  function sinkFor(input: string): ReadingSink {
    return async (readings: Reading[]) => {
      const accepted = buffer.accept(readings);
      pendingAccepts.add(accepted);
      try {
        await accepted;
        metrics.readingsAccepted(input, readings.length);
      } catch (error) {
        metrics.acceptFailed(input, readings.length);
        throw error;
      } finally {
        pendingAccepts.delete(accepted);
      }
    };
  }

  function status(): AgentStatus {
    const totals = metrics.totals();
    return {
      gateway: config.gateway.id,
      site: config.gateway.site,
      version,
      bootId,
      uptimeMs: Math.floor(performance.now()),
      connected: forwarder.connected(),
      backlog: buffer.depth(),
      oldestPendingAt: buffer.oldestPendingAt(),
      lastAckAt: forwarder.lastAckAt(),
      accepted: totals.accepted,
      malformed: totals.malformed,
    };
  }

  async function stop(): Promise<void> {
    await Promise.allSettled(inputs.map((input) => input.close()));
    buffer.flush();
    await Promise.allSettled([...pendingAccepts]);
    await forwarder.stop();
    await server?.close();
    buffer.close();
    logger.info("agent stopped");
  }

  return {
    bootId,
    buffer,
    metrics,
    async start() {
      if (config.buffer.maxBytes !== undefined || config.buffer.maxAge !== undefined) {
        logger.warn(
          { maxBytes: config.buffer.maxBytes, maxAge: config.buffer.maxAge },
          "buffer.maxBytes/maxAge are not enforced by this version: the buffer grows until the disk is full",
        );
      }
      const app = createApiApp({ status, registry: metrics.registry, logger: loggerFor("api") });
      try {
        server = await startHttpServer(app, config.http);
      } catch (error) {
        buffer.close();
        throw error;
      }
      forwarder.start();
      inputs = config.inputs.map((input) =>
        registry.create(input, {
          sink: sinkFor(input.name),
          logger: loggerFor("input"),
          observer: metrics.observerFor(input.name),
        }),
      );
      for (const input of inputs) input.start();
      logger.info(
        {
          gateway: config.gateway.id,
          site: config.gateway.site,
          bootId,
          version,
          http: server.url,
          inputs: inputs.length,
        },
        "agent started",
      );
      return { httpUrl: server.url };
    },
    stop() {
      stopped ??= stop();
      return stopped;
    },
    status,
  };
}
