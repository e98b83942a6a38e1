import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTopic } from "@lotwatch/protocol/topics.js";
import mqtt from "mqtt";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  at,
  createTempDir,
  envelope,
  type TempDir,
  TOPOLOGY_YAML,
  vehicle,
} from "../test-support/fixtures.js";
import type { SummaryRecord } from "./summary-record.js";
import { startWebhookServer, type WebhookServer } from "./test-support/webhook-server.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "cli.js");
const MIN = 60_000;
let dir: TempDir;
let child: ChildProcess | undefined;
let webhook: WebhookServer | undefined;

beforeAll(() => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: build first (npx tsc -p cloud-ingest/tsconfig.build.json)`);
});
beforeEach(() => {
  dir = createTempDir();
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  child = undefined;
  await webhook?.close();
  webhook = undefined;
  dir.remove();
});

interface Running {
  process: ChildProcess;
  ready: { httpUrl: string; mqttUrl: string };
  exit: Promise<number | null>;
}

async function startIngestProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const readyFile = join(dir.path, "ready.json");
  const ingest = spawn(process.execPath, [CLI, "--ready-file", readyFile, ...args], {
    env: { ...process.env, LOTWATCH_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child = ingest;
  let stderr = "";
  ingest.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<number | null>((resolve) => ingest.once("close", (code) => resolve(code)));
  const ready = await waitFor(`the ready file (stderr: ${stderr})`, () =>
    existsSync(readyFile) ? (JSON.parse(readFileSync(readyFile, "utf8")) as Running["ready"]) : undefined,
  );
  return { process: ingest, ready, exit };
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Publishes one envelope at QoS 1; resolves on the PUBACK, which the ingest sends after the commit. */
async function publish(mqttUrl: string, gateway: string, events: unknown[]): Promise<void> {
  const client = await mqtt.connectAsync(mqttUrl, { clientId: gateway, reconnectPeriod: 0 });
  try {
    await client.publishAsync(
      buildTopic("mall-a", gateway, "events"),
      JSON.stringify(envelope(gateway, events)),
      {
        qos: 1,
      },
    );
  } finally {
    await client.endAsync();
  }
}

/** Every record in the daily files of `--summaries DIR/summaries.jsonl` (a run may cross midnight). */
const recordsIn = (folder: string): SummaryRecord[] =>
  readdirSync(folder)
    .filter((name) => /^summaries-\d{4}-\d{2}-\d{2}\.jsonl$/.test(name))
    .sort()
    .flatMap((name) => readFileSync(join(folder, name), "utf8").split("\n"))
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as SummaryRecord);

describe("summaries survive a crash", () => {
  it("delivers every committed summary after a SIGKILL before the dispatcher ran, also to a webhook that was down", async () => {
    const summaries = join(dir.path, "summaries.jsonl");
    webhook = await startWebhookServer(2);
    const args = [
      "--topology",
      dir.file("topology.yaml", TOPOLOGY_YAML),
      "--db",
      join(dir.path, "ingest.db"),
      "--http-port",
      "0",
      "--mqtt-port",
      "0",
      "--summaries",
      summaries,
      "--webhook",
      webhook.url,
    ];

    const first = await startIngestProcess(args, { LOTWATCH_HOLD_SUMMARIES: "1" });
    await publish(first.ready.mqttUrl, "gw-1", [
      vehicle("vehicle.entry", "entry-1", 1, at(0), { plate: "KA01AB1234" }),
      vehicle("vehicle.entry", "entry-1", 2, at(MIN), { plate: "MH12XY0001" }),
      vehicle("vehicle.exit", "exit-1", 3, at(40 * MIN), { plate: "KA01AB1234" }),
      vehicle("vehicle.exit", "exit-1", 4, at(50 * MIN), { plate: "MH12XYO001" }),
      vehicle("vehicle.exit", "exit-1", 5, at(55 * MIN), { plate: "DL3C0042" }),
    ]);
    // A late entry rematches the unmatched exit: a correction record.
    await publish(first.ready.mqttUrl, "gw-2", [
      vehicle("vehicle.entry", "entry-1", 1, at(30 * MIN), { plate: "DL3C0042" }),
    ]);
    const sessions = (await (await fetch(`${first.ready.httpUrl}/v1/sites/mall-a/sessions`)).json()) as {
      sessions: { id: string; status: string }[];
    };
    expect(sessions.sessions.map((s) => [s.id, s.status])).toEqual([
      ["gw-2:1", "closed"],
      ["gw-1:2", "closed"],
      ["gw-1:1", "closed"],
    ]);
    first.process.kill("SIGKILL");
    await first.exit;
    expect(recordsIn(dir.path)).toEqual([]);
    expect(webhook.requests()).toBe(0);

    const second = await startIngestProcess(args);
    await webhook.waitForRecords(4, 15_000);
    await waitFor("every record in the file", () => (recordsIn(dir.path).length >= 4 ? true : undefined));
    const expected = [
      { recordId: 1, sessionId: "gw-1:1", status: "closed", matchedBy: "exact", fee: 2.5 },
      { recordId: 2, sessionId: "gw-1:2", status: "closed", matchedBy: "fuzzy", exitPlate: "MH12XYO001" },
      { recordId: 3, sessionId: "gw-1:5", status: "unmatched", fee: null },
      { recordId: 4, sessionId: "gw-2:1", status: "closed", corrects: 3, fee: 2.5 },
    ];
    expect(recordsIn(dir.path)).toEqual(expected.map((record) => expect.objectContaining(record)));
    expect(webhook.records).toEqual(expected.map((record) => expect.objectContaining(record)));
    expect(webhook.requests()).toBe(3);

    second.process.kill("SIGTERM");
    expect(await second.exit).toBe(0);
  });
});
