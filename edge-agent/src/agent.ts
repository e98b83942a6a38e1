import { randomUUID } from "node:crypto";
import type { Reading } from "@lotwatch/protocol/events.js";
import { createApiApp } from "./api/app.js";
import { type RunningHttpServer, startHttpServer } from "./api/http-server.js";
import type { CountsAnswer } from "./api/routes/counts.js";
import type { AgentStatus } from "./api/routes/status.js";
import { createEventBuffer } from "./buffer/event-buffer.js";
import type { EventBuffer } from "./buffer/types.js";
import { type ClockSyncDetector, createClockSyncDetector } from "./clock/sync-detector.js";
import { createWallClock } from "./clock/wall-clock.js";
import { createLogger, type Logger } from "./common/logger.js";
import { agentVersion } from "./common/version.js";
import type { AgentConfig } from "./config/schema.js";
import { createForwarder, type Forwarder } from "./forward/forwarder.js";
import { createPushEndpoints } from "./inputs/camera-http/push-endpoints.js";
import type { Input, ReadingSink } from "./inputs/input.js";
import { createInputRegistry, defaultInputFactories, type InputFactories } from "./inputs/registry.js";
import { type AgentMetrics, createAgentMetrics, type RefusalReason } from "./metrics/agent-metrics.js";

export interface AgentOptions {
  config: AgentConfig;
  /** A logger per component; defaults to pino on stdout. */
  loggerFor?: (component: string) => Logger;
  inputFactories?: InputFactories;
  /** Export process metrics (CPU, memory); default true. */
  processMetrics?: boolean;
  /** Whether the system clock is synchronized; defaults to the detector `clock.syncCheck` selects. */
  clockSync?: ClockSyncDetector;
  /** Source of `LOTWATCH_TEST_CLOCK_OFFSET_MS` and `NODE_ENV`; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
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
  counts(): CountsAnswer;
}

const REFUSAL_REASONS: Record<string, RefusalReason> = {
  BUFFER_FULL: "disk-full",
  BUFFER_CLOSED: "closed",
};

/** The pipeline: inputs → buffer (durable) → forwarder (MQTT), with the local HTTP API beside it. */
export function createAgent(options: AgentOptions): Agent {
  const { config } = options;
  const loggerFor = options.loggerFor ?? createLogger;
  const logger = loggerFor("agent");
  const bootId = randomUUID();
  const version = agentVersion();
  const now = createWallClock({ env: options.env, logger });
  const clockSync =
    options.clockSync ??
    createClockSyncDetector({
      mode: config.clock.syncCheck,
      syncFile: config.clock.syncFile,
      now: () => now().getTime(),
    });
  const buffer = createEventBuffer({
    path: config.buffer.path,
    synchronous: config.buffer.synchronous,
    gatewayId: config.gateway.id,
    site: config.gateway.site,
    bootId,
    logger: loggerFor("buffer"),
    maxBytes: config.buffer.maxBytes,
    maxAgeMs: config.buffer.maxAge,
    reserveBytes: config.buffer.reserve,
    clockSynced: () => clockSync.synced(),
    now,
  });

  let forwarder: Forwarder;
  const metrics = createAgentMetrics({
    processMetrics: options.processMetrics,
    now: () => now().getTime(),
    sources: {
      depth: () => buffer.depth(),
      oldestPendingAt: () => buffer.oldestPendingAt(),
      connected: () => forwarder.connected(),
      bufferBytes: () => buffer.bytes(),
      diskFull: () => buffer.health().diskFull,
      diskFullEvents: () => buffer.health().diskFullEvents,
      clockSynced: () => clockSync.synced(),
    },
  });
  buffer.onDropped((report) => metrics.readingsDropped(report.reason, report.dropped));
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
      now,
    });
  } catch (error) {
    buffer.close();
    throw error;
  }

  const registry = createInputRegistry(options.inputFactories ?? defaultInputFactories);
  const pushEndpoints = createPushEndpoints();
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
        const code = (error as { code?: string }).code ?? "";
        metrics.acceptFailed(input, readings.length, REFUSAL_REASONS[code] ?? "write-failed");
        throw error;
      } finally {
        pendingAccepts.delete(accepted);
      }
    };
  }

  function status(): AgentStatus {
    const totals = metrics.totals();
    const health = buffer.health();
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
      dropped: health.dropped,
      buffer: {
        bytes: health.bytes,
        maxBytes: health.maxBytes,
        maxAgeMs: health.maxAgeMs,
        reserve: health.reserve,
        diskFull: health.diskFull,
        diskFullSince: health.diskFullSince,
        diskFullEvents: health.diskFullEvents,
        refused: health.refused,
      },
      clockSynced: clockSync.synced() ?? null,
    };
  }

  function counts(): CountsAnswer {
    return {
      gateway: config.gateway.id,
      site: config.gateway.site,
      at: now().toISOString(),
      ...buffer.counts(),
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
      const app = createApiApp({
        status,
        counts,
        registry: metrics.registry,
        logger: loggerFor("api"),
        pushEndpoints,
      });
      try {
        server = await startHttpServer(app, config.http);
      } catch (error) {
        buffer.close();
        throw error;
      }
      forwarder.start();
      // A cap lowered since the last run, or readings that aged out while the agent was down.
      buffer.enforceCaps();
      inputs = config.inputs.map((input) =>
        registry.create(input, {
          sink: sinkFor(input.name),
          logger: loggerFor("input"),
          observer: metrics.observerFor(input.name),
          pushEndpoints,
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
          clockSynced: clockSync.synced() ?? null,
          buffer: { depth: buffer.depth(), bytes: buffer.bytes(), dropped: buffer.health().dropped },
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
    counts,
  };
}
