import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../logging/create-logger.js";
import { useTestStore } from "../store/sqlite/test-support/test-store.js";
import { at, T0, vehicle } from "../test-support/fixtures.js";
import { createSummaryDispatcher, type SummaryDispatcher } from "./dispatcher.js";
import { createFileSink, dailyFile } from "./file-sink.js";
import type { SummaryRecord } from "./summary-record.js";
import { startWebhookServer, type WebhookServer } from "./test-support/webhook-server.js";
import { createWebhookSink } from "./webhook-sink.js";

const DAY = 24 * 3600_000;
const db = useTestStore();
let dispatcher: SummaryDispatcher | undefined;
let webhook: WebhookServer | undefined;

// Registered after useTestStore's, so it runs first: the dispatcher stops before the store closes.
afterEach(async () => {
  await dispatcher?.close();
  dispatcher = undefined;
  await webhook?.close();
  webhook = undefined;
});

/** `count` unmatched exits, each one summary record. */
async function unmatchedExits(count: number, firstSeq: number, receivedAt = T0): Promise<void> {
  const events = Array.from({ length: count }, (_, i) =>
    vehicle("vehicle.exit", "exit-1", firstSeq + i, at(i * 1000), { plate: `XX${firstSeq + i}` }),
  );
  await db.store.insertBatch("gw-1", events, receivedAt);
}

const fast = { pollMs: 20, backoff: { initialMs: 20, maxMs: 100 }, logger: createSilentLogger() };

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const readLines = (file: string): SummaryRecord[] => {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as SummaryRecord);
  } catch {
    return [];
  }
};

describe("dailyFile", () => {
  it("puts the record's UTC day before the extension", () => {
    expect(dailyFile("/var/lib/lotwatch/summaries.jsonl", "2026-11-22T23:59:59.999Z")).toBe(
      "/var/lib/lotwatch/summaries-2026-11-22.jsonl",
    );
    expect(dailyFile("out/summaries", "2026-01-02T00:00:00.000Z")).toBe("out/summaries-2026-01-02");
  });
});

describe("summary dispatcher", () => {
  it("appends every record to the day's file and moves the file cursor", async () => {
    await unmatchedExits(3, 1, T0);
    await unmatchedExits(2, 10, T0 + DAY);
    const file = db.file("summaries.jsonl");
    dispatcher = createSummaryDispatcher({
      outbox: db.store,
      sinks: [createFileSink(file)],
      batchSize: 2,
      ...fast,
    });
    const second = dailyFile(file, new Date(T0 + DAY).toISOString());
    await waitFor("the second day's file", () => (readLines(second).length === 2 ? true : undefined));
    expect(readLines(dailyFile(file, new Date(T0).toISOString())).map((r) => r.recordId)).toEqual([1, 2, 3]);
    expect(readLines(second).map((r) => [r.recordId, r.status])).toEqual([
      [4, "unmatched"],
      [5, "unmatched"],
    ]);
    await waitUntil(
      "the file cursor to pass every record",
      async () => (await db.store.readOutbox("file", 10)).length === 0,
    );
  });

  it("keeps a torn last line apart from the records it appends", async () => {
    const file = db.file("summaries.jsonl");
    const day = db.file("summaries-2026-11-22.jsonl", '{"recordId":1,"sess');
    await unmatchedExits(1, 1);
    dispatcher = createSummaryDispatcher({ outbox: db.store, sinks: [createFileSink(file)], ...fast });
    await waitFor("the record", () =>
      readFileSync(day, "utf8").split("\n").length === 3 ? true : undefined,
    );
    expect(JSON.parse(readFileSync(day, "utf8").split("\n")[1] ?? "")).toMatchObject({ recordId: 1 });
  });

  it("resumes after a restart with what is not yet delivered", async () => {
    const file = db.file("summaries.jsonl");
    const today = dailyFile(file, new Date(T0).toISOString());
    await unmatchedExits(2, 1);
    dispatcher = createSummaryDispatcher({ outbox: db.store, sinks: [createFileSink(file)], ...fast });
    await waitFor("two records", () => (readLines(today).length === 2 ? true : undefined));
    await dispatcher.close();
    await unmatchedExits(2, 3);
    dispatcher = createSummaryDispatcher({ outbox: db.store, sinks: [createFileSink(file)], ...fast });
    await waitFor("four records", () => (readLines(today).length === 4 ? true : undefined));
    expect(readLines(today).map((r) => r.recordId)).toEqual([1, 2, 3, 4]);
  });

  it("gets every record to a webhook that answers 503 for a while, in batches", async () => {
    webhook = await startWebhookServer(4);
    await unmatchedExits(7, 1);
    dispatcher = createSummaryDispatcher({
      outbox: db.store,
      sinks: [createWebhookSink({ url: webhook.url })],
      batchSize: 3,
      ...fast,
    });
    await webhook.waitForRecords(7);
    expect(webhook.records.map((r) => r.recordId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(webhook.requests()).toBe(4 + 3);
    // The cursor moves after the webhook's answer reaches the dispatcher, a moment after the records.
    await waitUntil(
      "the webhook cursor to pass every record",
      async () => (await db.store.readOutbox("webhook", 10)).length === 0,
    );
  });

  it("gets every record to a webhook that was not listening yet", async () => {
    const port = await freePort();
    await unmatchedExits(3, 1);
    dispatcher = createSummaryDispatcher({
      outbox: db.store,
      sinks: [createWebhookSink({ url: `http://127.0.0.1:${port}/summaries` })],
      ...fast,
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    webhook = await startWebhookServer(0, port);
    await webhook.waitForRecords(3);
    expect(webhook.records.map((r) => r.recordId)).toEqual([1, 2, 3]);
  });

  it("feeds each sink on its own: a down webhook does not hold up the file", async () => {
    webhook = await startWebhookServer(1_000_000);
    const file = db.file("summaries.jsonl");
    await unmatchedExits(2, 1);
    dispatcher = createSummaryDispatcher({
      outbox: db.store,
      sinks: [createWebhookSink({ url: webhook.url }), createFileSink(file)],
      ...fast,
    });
    const today = dailyFile(file, new Date(T0).toISOString());
    await waitFor("the file records", () => (readLines(today).length === 2 ? true : undefined));
    expect((await db.store.readOutbox("webhook", 10)).map((r) => r.recordId)).toEqual([1, 2]);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
