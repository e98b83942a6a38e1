import { ConfigError } from "@lotwatch/protocol/errors.js";
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_MAX_PAYLOAD_BYTES } from "../ingest/handle-message.js";
import { DEFAULT_PORTS, type IngestSettings } from "../run/start-ingest.js";
import { isPostgresUrl } from "../store/postgres/connect.js";
import type { SyncMode } from "../store/sqlite/open-database.js";
import { parseWebhookUrl } from "../summaries/webhook-url.js";

interface RawOptions {
  topology?: string;
  db?: string;
  host?: string;
  httpPort?: number;
  mqttPort?: number;
  readyFile?: string;
  maxPayloadBytes?: number;
  insecure?: boolean;
  gateways?: string;
  maxPacketBytes?: number;
  connectsPerSecond?: number;
  gatewayBytesPerSecond?: number;
  broker?: string;
  brokerUsername?: string;
  brokerPassword?: string;
  clientId?: string;
  shareGroup?: string;
  summaries?: string;
  webhook?: string;
  holdSummaries?: boolean;
  clockThresholdMs?: number;
  apiKeys?: string;
  sync?: SyncMode;
  retentionDays?: number;
  outboxRetentionDays?: number;
}

type Parser<T> = (value: string) => T;

const parsePort: Parser<number> = (value) => {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError("expected a port from 0 to 65535");
  return port;
};

const parsePositive: Parser<number> = (value) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError("expected a positive whole number");
  return n;
};

const parseSync: Parser<SyncMode> = (value) => {
  if (value === "full" || value === "normal") return value;
  throw new InvalidArgumentError('expected "full" or "normal"');
};

const parseFlag: Parser<boolean> = (value) => {
  const normalized = value.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(normalized)) return true;
  if (["", "0", "false", "no", "off"].includes(normalized)) return false;
  throw new InvalidArgumentError("expected true or false");
};

/** Each option's environment variable; the command line wins over it. */
const ENV: Record<keyof RawOptions, [string, Parser<unknown>]> = {
  topology: ["LOTWATCH_TOPOLOGY", String],
  db: ["LOTWATCH_DB", String],
  host: ["LOTWATCH_HOST", String],
  httpPort: ["LOTWATCH_HTTP_PORT", parsePort],
  mqttPort: ["LOTWATCH_MQTT_PORT", parsePort],
  readyFile: ["LOTWATCH_READY_FILE", String],
  maxPayloadBytes: ["LOTWATCH_MAX_PAYLOAD_BYTES", parsePositive],
  insecure: ["LOTWATCH_INSECURE", parseFlag],
  gateways: ["LOTWATCH_GATEWAYS", String],
  maxPacketBytes: ["LOTWATCH_MAX_PACKET_BYTES", parsePositive],
  connectsPerSecond: ["LOTWATCH_CONNECTS_PER_SECOND", parsePositive],
  gatewayBytesPerSecond: ["LOTWATCH_GATEWAY_BYTES_PER_SECOND", parsePositive],
  broker: ["LOTWATCH_BROKER", String],
  brokerUsername: ["LOTWATCH_BROKER_USERNAME", String],
  brokerPassword: ["LOTWATCH_BROKER_PASSWORD", String],
  clientId: ["LOTWATCH_CLIENT_ID", String],
  shareGroup: ["LOTWATCH_SHARE_GROUP", String],
  summaries: ["LOTWATCH_SUMMARIES", String],
  webhook: ["LOTWATCH_WEBHOOK", parseWebhookUrl],
  holdSummaries: ["LOTWATCH_HOLD_SUMMARIES", parseFlag],
  clockThresholdMs: ["LOTWATCH_CLOCK_THRESHOLD_MS", parsePositive],
  apiKeys: ["LOTWATCH_API_KEYS", String],
  sync: ["LOTWATCH_SYNC", parseSync],
  retentionDays: ["LOTWATCH_RETENTION_DAYS", parsePositive],
  outboxRetentionDays: ["LOTWATCH_OUTBOX_RETENTION_DAYS", parsePositive],
};

export const DEFAULT_CLIENT_ID = "lotwatch-ingest";

export function buildProgram(): Command {
  return new Command("lotwatch-ingest")
    .description("The lotwatch cloud ingest: embedded MQTT broker, event store, counts REST API.")
    .option(
      "--topology <file>",
      "sites, spaces, lanes, doors and slots, JSON or YAML (env LOTWATCH_TOPOLOGY)",
    )
    .option(
      "--db <path|url>",
      "SQLite database file, or postgres://user@host:port/db[?schema=NAME] (env LOTWATCH_DB)",
      "./lotwatch.db",
    )
    .option("--host <host>", "address both servers listen on (env LOTWATCH_HOST)", "127.0.0.1")
    .option(
      "--http-port <port>",
      `REST API port, 0 = any free port (default ${DEFAULT_PORTS.httpPort}; env LOTWATCH_HTTP_PORT)`,
      parsePort,
    )
    .option(
      "--mqtt-port <port>",
      `embedded broker port, 0 = any free port (default ${DEFAULT_PORTS.mqttPort}; env LOTWATCH_MQTT_PORT)`,
      parsePort,
    )
    .option(
      "--ready-file <file>",
      "write {httpUrl, mqttUrl, pid} here once listening (env LOTWATCH_READY_FILE)",
    )
    .option(
      "--max-payload-bytes <n>",
      `reject larger MQTT payloads unparsed (default ${DEFAULT_MAX_PAYLOAD_BYTES}; env LOTWATCH_MAX_PAYLOAD_BYTES)`,
      parsePositive,
    )
    .option("--insecure", "allow a non-loopback --host without gateway credentials (env LOTWATCH_INSECURE=1)")
    .option(
      "--gateways <file>",
      "gateway credentials (YAML, see add-gateway): gateways must log in (env LOTWATCH_GATEWAYS)",
    )
    .option(
      "--max-packet-bytes <n>",
      "drop a connection whose MQTT packet is larger (default twice --max-payload-bytes, at least 64 KiB; env LOTWATCH_MAX_PACKET_BYTES)",
      parsePositive,
    )
    .option(
      "--connects-per-second <n>",
      "new MQTT connections per second from one address, bursts of twice that; more are dropped (default 50; env LOTWATCH_CONNECTS_PER_SECOND)",
      parsePositive,
    )
    .option(
      "--gateway-bytes-per-second <n>",
      "payload bytes per second of one gateway before its publishes are held back (default 16 MiB; env LOTWATCH_GATEWAY_BYTES_PER_SECOND)",
      parsePositive,
    )
    .option(
      "--broker <url>",
      "consume from this broker (mqtt://host:port) instead of embedding one (env LOTWATCH_BROKER)",
    )
    .option("--broker-username <name>", "username at --broker (env LOTWATCH_BROKER_USERNAME)")
    .option(
      "--broker-password <secret>",
      "password at --broker; prefer the env LOTWATCH_BROKER_PASSWORD, which ps does not show",
    )
    .option(
      "--client-id <id>",
      `fixed client id of the persistent session at --broker (default ${DEFAULT_CLIENT_ID}; env LOTWATCH_CLIENT_ID)`,
    )
    .option(
      "--share-group <name>",
      "subscribe as $share/NAME/… so several ingests split the load (env LOTWATCH_SHARE_GROUP)",
    )
    .option(
      "--summaries <file>",
      "append session summaries as JSON lines, one file per UTC day: FILE-YYYY-MM-DD.ext (env LOTWATCH_SUMMARIES)",
    )
    .option(
      "--webhook <url>",
      "also POST summaries (JSON arrays) to this URL (env LOTWATCH_WEBHOOK)",
      parseWebhookUrl,
    )
    .option(
      "--hold-summaries",
      "keep summaries in the outbox and deliver none, e.g. while billing is down (env LOTWATCH_HOLD_SUMMARIES=1)",
    )
    .option(
      "--api-keys <file>",
      "REST API keys (YAML, see add-api-key): /v1/* then needs Authorization: Bearer KEY (env LOTWATCH_API_KEYS)",
    )
    .option(
      "--clock-threshold-ms <n>",
      "correct a synced gateway's stamps only when its measured clock offset is larger (default 2000; env LOTWATCH_CLOCK_THRESHOLD_MS)",
      parsePositive,
    )
    .option(
      "--sync <mode>",
      "SQLite synchronous: full = a PUBACK survives power loss (default); normal = faster, a power cut may lose the last acknowledged batches (env LOTWATCH_SYNC)",
      parseSync,
    )
    .option(
      "--retention-days <n>",
      "PostgreSQL only: drop monthly event partitions received more than N days ago (default: keep all; env LOTWATCH_RETENTION_DAYS)",
      parsePositive,
    )
    .option(
      "--outbox-retention-days <n>",
      "delete summary records from the outbox N days after every configured sink delivered them (default 7; env LOTWATCH_OUTBOX_RETENTION_DAYS)",
      parsePositive,
    )
    .addHelpText(
      "after",
      "\nCommands:\n  add-gateway --gateways FILE --id ID --site SITE   create or update a gateway's secret (add-gateway --help)" +
        "\n  add-api-key --api-keys FILE --name NAME          create or replace a REST API key (add-api-key --help)" +
        "\n  forecast-eval [--runs 3]                         forecast vs seasonal naive on simulated malls (forecast-eval --help)",
    )
    .exitOverride()
    .showHelpAfterError();
}

/**
 * Settings from the command line, then `LOTWATCH_*` variables, then defaults. Throws commander's
 * error for usage problems (already printed) and ConfigError for bad environment values.
 */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): IngestSettings {
  const program = buildProgram();
  program.parse(argv, { from: "user" });
  const options = program.opts<RawOptions>();
  const fromCli = (key: keyof RawOptions) => program.getOptionValueSource(key) === "cli";
  const merged: Record<string, unknown> = { ...options };
  for (const [key, [name, parse]] of Object.entries(ENV) as [keyof RawOptions, [string, Parser<unknown>]][]) {
    const value = env[name];
    if (value === undefined || fromCli(key)) continue;
    try {
      merged[key] = parse(value);
    } catch (error) {
      throw new ConfigError("bad_environment", `${name}="${value}": ${(error as Error).message}`);
    }
  }
  const settings = merged as RawOptions;
  if (settings.topology === undefined) {
    throw new ConfigError(
      "missing_topology",
      "no topology file: pass --topology FILE or set LOTWATCH_TOPOLOGY",
    );
  }
  if (settings.gateways !== undefined && settings.broker !== undefined) {
    throw new ConfigError(
      "conflicting_options",
      "--gateways configures the embedded broker; with --broker, the external broker authenticates gateways (its ACL must limit each to its own topics)",
    );
  }
  if (settings.retentionDays !== undefined && !isPostgresUrl(settings.db ?? "")) {
    throw new ConfigError(
      "conflicting_options",
      "--retention-days needs the PostgreSQL store (--db postgres://…); the SQLite store keeps every event",
    );
  }
  return {
    topologyPath: settings.topology,
    dbPath: settings.db ?? "./lotwatch.db",
    host: settings.host ?? "127.0.0.1",
    httpPort: settings.httpPort,
    mqttPort: settings.mqttPort,
    readyFile: settings.readyFile,
    insecure: settings.insecure ?? false,
    maxPayloadBytes: settings.maxPayloadBytes,
    gatewaysPath: settings.gateways,
    apiKeysPath: settings.apiKeys,
    maxPacketBytes: settings.maxPacketBytes,
    connectsPerSecond: settings.connectsPerSecond,
    gatewayBytesPerSecond: settings.gatewayBytesPerSecond,
    clockThresholdMs: settings.clockThresholdMs,
    sync: settings.sync,
    retentionDays: settings.retentionDays,
    outboxRetentionDays: settings.outboxRetentionDays,
    summaries:
      settings.summaries === undefined && settings.webhook === undefined
        ? undefined
        : { file: settings.summaries, webhook: settings.webhook, hold: settings.holdSummaries ?? false },
    broker:
      settings.broker === undefined
        ? undefined
        : {
            url: settings.broker,
            username: settings.brokerUsername,
            password: settings.brokerPassword,
            clientId: settings.clientId ?? DEFAULT_CLIENT_ID,
            shareGroup: settings.shareGroup,
          },
  };
}
