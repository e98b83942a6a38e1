import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { addGateway } from "@lotwatch/cloud-ingest/credentials/add-gateway.js";
import Database from "better-sqlite3";
import { connectAsync, type IClientOptions, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { createIngestService, type IngestService } from "../faults/test-support/services.js";
import { DEMO_SITE } from "../system.js";
import { report } from "./test-support/reliability-mode.js";

const run = promisify(execFile);
const MAX_PAYLOAD = 16 * 1024;
const own = (gateway: string) => `lotwatch/v1/${DEMO_SITE}/${gateway}/events`;
/** A topic 200 levels deep under the gateway's own prefix. */
const DEEP = `lotwatch/v1/${DEMO_SITE}/gw-a/${Array.from({ length: 196 }, (_, i) => `l${i}`).join("/")}`;

function envelope(gateway: string, seq: number): string {
  return JSON.stringify({
    v: 1,
    gateway,
    sentAt: new Date().toISOString(),
    bootId: "boot-1",
    uptimeMs: 1000,
    events: [
      {
        id: `0193a5b4-0000-7000-8000-${String(seq).padStart(12, "0")}`,
        seq,
        type: "door.crossing",
        site: DEMO_SITE,
        occurredAt: new Date().toISOString(),
        door: "door-1",
        direction: 1,
      },
    ],
  });
}

describe("authorization matrix: an embedded broker with gateway credentials, real processes and clients", () => {
  let dir: string;
  let ingest: IngestService;
  let secrets: Record<string, string>;
  let port: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lotwatch-authz-"));
    const gateways = join(dir, "gateways.yaml");
    secrets = {};
    for (const id of ["gw-a", "gw-b"])
      secrets[id] = (await addGateway({ file: gateways, id, site: DEMO_SITE })).secret;
    ingest = createIngestService(dir, {
      args: ["--gateways", gateways, "--max-payload-bytes", String(MAX_PAYLOAD)],
    });
    await ingest.start();
    port = new URL(ingest.mqttUrl()).port;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await ingest?.stop("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const connect = (id: string, options: IClientOptions = {}) =>
    connectAsync(ingest.mqttUrl(), {
      clientId: id,
      username: id,
      password: secrets[id],
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      ...options,
    }).then((client) => {
      clients.push(client);
      return client;
    });

  /** mqtt.js publishes QoS 1; resolves with whether a PUBACK came before the broker closed the link. */
  async function mqttPublish(topic: string, message: string | Buffer): Promise<boolean> {
    const client = await connect("gw-a");
    const closed = new Promise<false>((resolve) => client.once("close", () => resolve(false)));
    const acked = client.publishAsync(topic, message, { qos: 1 }).then(
      () => true,
      () => false,
    );
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000));
    const result = await Promise.race([acked, closed, timeout]);
    await client.endAsync(true);
    return result;
  }

  /** mqtt.js subscribes (mosquitto_sub would reconnect and try again); resolves with whether it was granted. */
  async function mqttSubscribe(filter: string): Promise<boolean> {
    const client = await connect("gw-a");
    const closed = new Promise<false>((resolve) => client.once("close", () => resolve(false)));
    const granted = client.subscribeAsync(filter, { qos: 1 }).then(
      (grants) => grants.every((grant) => grant.qos !== 128),
      () => false,
    );
    const result = await Promise.race([granted, closed]);
    await client.endAsync(true);
    return result;
  }

  /**
   * mosquitto_pub or mosquitto_sub with gw-a's credentials unless overridden; resolves with whether
   * the broker took it: exit code 0, and for a subscription no filter denied in the SUBACK.
   */
  async function mosquitto(
    tool: "pub" | "sub",
    args: string[],
    as: Record<string, string> = {},
  ): Promise<boolean> {
    const id = as.id ?? "gw-a";
    const base = [
      "-h",
      "127.0.0.1",
      "-p",
      port,
      "-i",
      id,
      "-u",
      as.user ?? id,
      "-P",
      as.password ?? secrets[id] ?? "",
    ];
    return run(`/usr/bin/mosquitto_${tool}`, [...base, ...args], { timeout: 10_000 }).then(
      ({ stdout, stderr }) => !/denied/i.test(stdout + stderr),
      () => false,
    );
  }

  async function refusals(): Promise<Record<string, number>> {
    const text = await (await fetch(`${ingest.httpUrl()}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const match of text.matchAll(/^lotwatch_ingest_broker_refusals_total\{reason="(\w+)"\} (\d+)$/gm)) {
      counts[match[1] as string] = Number(match[2]);
    }
    return counts;
  }

  function stored(): { events: number; rejected: number } {
    const db = new Database(ingest.dbPath, { readonly: true });
    try {
      return db
        .prepare(
          "SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM rejected) AS rejected",
        )
        .get() as { events: number; rejected: number };
    } finally {
      db.close();
    }
  }

  /** Log lines of refusals, by reason. */
  function refusalLogLines(): Record<string, number> {
    const lines: Record<string, number> = {};
    for (const line of readFileSync(ingest.logFile, "utf8").split("\n")) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as { reason?: string; msg?: string };
      if (entry.reason !== undefined && entry.msg?.startsWith("refused ")) {
        lines[entry.reason] = (lines[entry.reason] ?? 0) + 1;
      }
    }
    return lines;
  }

  // Each attempt is made twice: both are counted, one is logged.
  const ATTEMPTS: [string, string, () => Promise<boolean>][] = [
    ["another gateway's topic", "publish_other_gateway", () => mqttPublish(own("gw-b"), envelope("gw-b", 1))],
    [
      "another gateway's topic (mosquitto_pub)",
      "publish_other_gateway",
      () => mosquitto("pub", ["-q", "1", "-t", own("gw-b"), "-m", envelope("gw-b", 2)]),
    ],
    [
      "another site's topic",
      "publish_other_site",
      () => mqttPublish("lotwatch/v1/other-site/gw-a/events", envelope("gw-a", 3)),
    ],
    [
      "a wildcard in a publish topic",
      "publish_wildcard",
      () => mqttPublish(`lotwatch/v1/${DEMO_SITE}/+/events`, "x"),
    ],
    ["a 200-level publish topic", "topic_too_deep", () => mqttPublish(DEEP, envelope("gw-a", 4))],
    ["subscribing to #", "subscribe_outside_prefix", () => mosquitto("sub", ["-t", "#", "-W", "2"])],
    ["subscribing to $SYS/#", "subscribe_reserved", () => mosquitto("sub", ["-t", "$SYS/#", "-W", "2"])],
    ["a 200-level subscription", "topic_too_deep", () => mqttSubscribe(`${DEEP}/#`)],
    [
      "a wrong password",
      "bad_secret",
      () => mosquitto("pub", ["-q", "1", "-t", own("gw-a"), "-m", "x"], { password: "wrong" }),
    ],
    [
      "a client id that is not the username",
      "client_id_mismatch",
      () =>
        mosquitto("pub", ["-q", "1", "-t", own("gw-a"), "-m", "x"], {
          id: "gw-b",
          user: "gw-a",
          password: secrets["gw-a"] ?? "",
        }),
    ],
    [
      "an oversized packet",
      "packet_too_large",
      () => mosquitto("pub", ["-q", "1", "-t", own("gw-a"), "-f", join(dir, "big.bin")]),
    ],
  ];

  it("refuses every attempt, stores nothing of it, counts each in /metrics and logs each client and reason once", async () => {
    onTestFailed(() => console.error(readFileSync(ingest.logFile, "utf8").split("\n").slice(-30).join("\n")));
    writeFileSync(join(dir, "big.bin"), Buffer.alloc(1024 * 1024, "x"));
    const before = await refusals();
    const expected: Record<string, number> = {};
    for (const [what, reason, attempt] of ATTEMPTS) {
      for (let i = 0; i < 2; i++) {
        const outcome = await attempt();
        // A refused publish gets no PUBACK; a refused client or subscription makes the tool fail.
        expect(outcome, `${what} was accepted`).toBe(false);
      }
      expected[reason] = (expected[reason] ?? 0) + 2;
    }
    expect(stored()).toEqual({ events: 0, rejected: 0 });
    const after = await refusals();
    const counted: Record<string, number> = {};
    for (const reason of Object.keys(expected))
      counted[reason] = (after[reason] ?? 0) - (before[reason] ?? 0);
    expect(counted).toEqual(expected);
    // Every attempt above is made by one client id per reason, so each reason is logged once.
    const logged = refusalLogLines();
    for (const reason of Object.keys(expected)) expect(logged[reason], reason).toBe(1);

    // The same broker takes the gateway's own data.
    expect(await mqttPublish(own("gw-a"), envelope("gw-a", 100))).toBe(true);
    expect(stored().events).toBe(1);
    report("authorization matrix", {
      attempts: ATTEMPTS.length * 2,
      reasons: Object.entries(counted)
        .map(([reason, count]) => `${reason}:${count}`)
        .join(","),
    });
  }, 120_000);
});
