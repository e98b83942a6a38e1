import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../test-support/silent-logger.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { type SummaryReceiver, startSummaryReceiver } from "./summary-receiver.js";

let dir: TempDir;
let receiver: SummaryReceiver | undefined;

beforeEach(async () => {
  dir = await createTempDir();
});
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await dir.remove();
});

const post = (url: string, body: string) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
const lines = async (file: string) =>
  (await readFile(file, "utf8").catch(() => ""))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("summary receiver", () => {
  it("appends every record of a POSTed array as a JSON line and answers 200", async () => {
    const out = join(dir.path, "billing.jsonl");
    receiver = await startSummaryReceiver({ out, logger: silentLogger });
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/summaries$/);
    const response = await post(receiver.url, JSON.stringify([{ recordId: 1 }, { recordId: 2 }]));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 2 });
    await post(receiver.url, JSON.stringify({ recordId: 3 }));
    expect(await lines(out)).toEqual([{ recordId: 1 }, { recordId: 2 }, { recordId: 3 }]);
    expect(receiver.received()).toBe(3);
  });

  it("refuses the first N requests with 503 and stores nothing of them", async () => {
    const out = join(dir.path, "billing.jsonl");
    receiver = await startSummaryReceiver({ out, failFirst: 2, logger: silentLogger });
    const statuses = [];
    for (let i = 1; i <= 3; i++)
      statuses.push((await post(receiver.url, JSON.stringify([{ recordId: i }]))).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(await lines(out)).toEqual([{ recordId: 3 }]);
    expect(receiver.requests()).toBe(3);
  });

  it("keeps lines whole when requests arrive at once, and keeps repeats", async () => {
    const out = join(dir.path, "billing.jsonl");
    receiver = await startSummaryReceiver({ out, logger: silentLogger });
    const url = receiver.url;
    const batches = Array.from({ length: 20 }, (_, i) => [{ recordId: i, pad: "x".repeat(5000) }]);
    await Promise.all([...batches, batches[0]].map((batch) => post(url, JSON.stringify(batch))));
    const ids = (await lines(out)).map((record) => record.recordId as number);
    expect(ids).toHaveLength(21);
    expect(new Set(ids).size).toBe(20);
  });

  it("answers 400 to a body that is not JSON records, 405 to other methods, 413 to huge bodies", async () => {
    const out = join(dir.path, "billing.jsonl");
    receiver = await startSummaryReceiver({ out, maxBodyBytes: 100, logger: silentLogger });
    expect((await post(receiver.url, "{oops")).status).toBe(400);
    expect((await post(receiver.url, "[1, 2]")).status).toBe(400);
    expect((await fetch(receiver.url)).status).toBe(405);
    expect((await post(receiver.url, JSON.stringify([{ pad: "x".repeat(200) }]))).status).toBe(413);
    expect(await lines(out)).toEqual([]);
  });
});
