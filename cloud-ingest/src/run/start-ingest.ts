import { createAdaptorServer, type ServerType } from "@hono/node-server";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { createApp } from "../api/app.js";
import { loadApiKeyVerifier } from "../api-keys/load-verifier.js";
import {
  type ExternalBrokerSettings,
  type GatewayTransport,
  startGatewayTransport,
} from "../broker/start-transport.js";
import { createMessageHandler } from "../ingest/handle-message.js";
import { createLogger, type Logger } from "../logging/create-logger.js";
import { createIngestMetrics } from "../metrics/ingest-metrics.js";
import { createMeteredStore } from "../metrics/metered-store.js";
import type { SyncMode } from "../store/sqlite/open-database.js";
import type { DispatcherTuning, SummaryDispatcher } from "../summaries/dispatcher.js";
import {
  DEFAULT_OUTBOX_RETENTION_DAYS,
  type OutboxPruner,
  startOutboxPruner,
} from "../summaries/outbox-pruner.js";
import { type SummarySettings, startSummaries, summarySinkNames } from "../summaries/start-summaries.js";
import { loadTopology } from "../topology/load-topology.js";
import { createTopologyIndex } from "../topology/topology-index.js";
import { hostPort, listenPort } from "./listen.js";
import { isLoopback } from "./loopback.js";
import { describeDb, openStore } from "./open-store.js";
import { removeReadyFile, writeReadyFile } from "./ready-file.js";

export interface IngestSettings {
  topologyPath: string;
  /** A SQLite file, or `postgres://…` for the PostgreSQL store (`--db`). */
  dbPath: string;
  host: string;
  /** Undefined = the default port, which may fall back to a free one; 0 = any free port. */
  httpPort?: number | undefined;
  mqttPort?: number | undefined;
  readyFile?: string | undefined;
  /** Accept any client on a non-loopback host even without credentials. */
  insecure: boolean;
  maxPayloadBytes?: number | undefined;
  /** Gateway credentials file (`--gateways`): the embedded broker then authenticates gateways. */
  gatewaysPath?: string | undefined;
  /** A connection whose MQTT packet announces more bytes is dropped (default: twice maxPayloadBytes). */
  maxPacketBytes?: number | undefined;
  /** Embedded broker flood limits (`--connects-per-second`, `--gateway-bytes-per-second`). */
  connectsPerSecond?: number | undefined;
  gatewayBytesPerSecond?: number | undefined;
  /** REST API keys file (`--api-keys`): `/v1/*` then needs `Authorization: Bearer KEY`. */
  apiKeysPath?: string | undefined;
  /** Consume from an external broker (`--broker`) instead of embedding one. */
  broker?: ExternalBrokerSettings | undefined;
  /** Session summary sinks (`--summaries`, `--webhook`, `--hold-summaries`). */
  summaries?: SummarySettings | undefined;
  /** A synced gateway's stamps are corrected only beyond this measured offset (ms; default 2000). */
  clockThresholdMs?: number | undefined;
  /** SQLite `synchronous` (`--sync`); default `full`, which a PUBACK-means-stored promise needs. */
  sync?: SyncMode | undefined;
  /** PostgreSQL only: drop events received more than this many days ago (`--retention-days`). */
  retentionDays?: number | undefined;
  /** Delivered summary records stay in the outbox this many days (`--outbox-retention-days`; default 7). */
  outboxRetentionDays?: number | undefined;
}

export interface IngestDefaults {
  httpPort: number;
  mqttPort: number;
}

export const DEFAULT_PORTS: IngestDefaults = { httpPort: 8080, mqttPort: 1883 };

export interface StartIngestOptions {
  /** Injectable so tests can make a "default" port that is taken. */
  defaults?: IngestDefaults;
  /** Parent of every component logger; default: JSON to stdout. */
  logger?: Logger;
  /** Summary delivery timing (tests shorten the poll and backoff). */
  summaryTuning?: DispatcherTuning;
}

export interface RunningIngest {
  httpUrl: string;
  mqttUrl: string;
  /** Stops the broker, waits for running commits, then closes HTTP and the database. */
  close(): Promise<void>;
}

/** Starts the store, the embedded broker and the REST API, as the CLI does. */
export async function startIngest(
  settings: IngestSettings,
  options: StartIngestOptions = {},
): Promise<RunningIngest> {
  const defaults = options.defaults ?? DEFAULT_PORTS;
  const log = (component: string) => options.logger?.child({ component }) ?? createLogger(component);
  const logger = log("ingest");
  const authenticated = settings.gatewaysPath !== undefined || settings.broker !== undefined;
  if (!settings.insecure && !authenticated && !isLoopback(settings.host)) {
    throw new ConfigError(
      "insecure_host",
      `refusing to listen on ${settings.host}: without gateway credentials the broker accepts any client, ` +
        "so it listens on loopback only; use --gateways FILE, --host 127.0.0.1, or --insecure to accept that risk",
    );
  }
  const topology = createTopologyIndex(loadTopology(settings.topologyPath));
  const apiKeys = loadApiKeyVerifier(settings, logger);
  const metrics = createIngestMetrics();
  const store = await openStore({
    db: settings.dbPath,
    topology,
    logger: log("store"),
    clock: settings.clockThresholdMs === undefined ? {} : { syncedThresholdMs: settings.clockThresholdMs },
    onNegativeCount: (negative) => metrics.observeNegativeCount(negative),
    sync: settings.sync ?? "full",
    checkpointWorker: true,
    retentionDays: settings.retentionDays,
  });
  metrics.readFrom(store);
  let transport: GatewayTransport | undefined;
  let http: ServerType | undefined;
  let readyFile: string | undefined;
  let summaries: SummaryDispatcher | null = null;
  let pruner: OutboxPruner | undefined;
  // Broker first (stop accepting, finish running commits), then HTTP, then the database.
  const shutdown = async () => {
    if (readyFile !== undefined) removeReadyFile(readyFile);
    await transport?.close();
    if (http?.listening) await closeHttp(http);
    await summaries?.close();
    await pruner?.close();
    await store.close();
  };
  let ready = false;
  try {
    summaries = startSummaries(store, settings.summaries ?? {}, log("summaries"), options.summaryTuning);
    pruner = startOutboxPruner({
      outbox: store,
      sinks: summarySinkNames(settings.summaries ?? {}),
      retentionDays: settings.outboxRetentionDays ?? DEFAULT_OUTBOX_RETENTION_DAYS,
      logger: log("summaries"),
    });
    const handler = createMessageHandler({
      store: createMeteredStore(store, metrics),
      maxPayloadBytes: settings.maxPayloadBytes,
      logger: log("ingest"),
    });
    transport = await startGatewayTransport(
      { ...settings, defaultPort: defaults.mqttPort },
      { handler, onRefusal: (reason) => metrics.observeRefusal(reason), log },
    );

    const app = createApp({
      store,
      topology,
      isReady: () => ready,
      metrics: metrics.registry,
      logger: log("api"),
      apiKeys,
    });
    http = createAdaptorServer({ fetch: app.fetch });
    const httpPort = await listenPort(http, {
      host: settings.host,
      port: settings.httpPort,
      defaultPort: defaults.httpPort,
      label: "HTTP",
      option: "--http-port",
      listener: "the REST API",
      logger,
    });

    const httpUrl = `http://${hostPort(settings.host, httpPort)}`;
    const { mqttUrl } = transport;
    ready = true;
    logger.info(
      { httpUrl, mqttUrl, db: describeDb(settings.dbPath) },
      `ingest ready: REST API ${httpUrl}, MQTT ${mqttUrl}`,
    );
    if (settings.readyFile !== undefined) {
      writeReadyFile(settings.readyFile, { httpUrl, mqttUrl, pid: process.pid });
      readyFile = settings.readyFile;
    }
    let closing: Promise<void> | undefined;
    return {
      httpUrl,
      mqttUrl,
      close() {
        ready = false;
        closing ??= shutdown().then(() => logger.info("ingest stopped"));
        return closing;
      },
    };
  } catch (error) {
    await shutdown();
    throw error;
  }
}

function closeHttp(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections would hold close() open until they time out.
    if ("closeAllConnections" in server) server.closeAllConnections();
  });
}
