import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Reading } from "@lotwatch/protocol/events.js";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_GATEWAY, DEMO_SITE, type DemoSystem, startDemoSystem } from "./system.js";
import { eventually, getJson } from "./test-support/http.js";

const READS = 1_000;

function netVehicles(reads: Reading[]): number {
  return reads.reduce(
    (net, read) => net + (read.type === "vehicle.entry" ? 1 : read.type === "vehicle.exit" ? -1 : 0),
    0,
  );
}

describe("camera → pty → agent → MQTT → ingest → REST", () => {
  let dir: string;
  let system: DemoSystem;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lotwatch-e2e-"));
    system = await startDemoSystem({
      dir,
      httpPort: 0,
      mqttPort: 0,
      camera: { count: READS, rate: 0, seed: 42, log: join(dir, "reads.jsonl") },
    });
  });

  afterAll(async () => {
    await system?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`answers the counts the camera's own log implies, for ${READS} reads`, async () => {
    const cameraExit = await Promise.race([system.camera?.exited, sleep(60_000).then(() => "timeout")]);
    expect(cameraExit).toBe(0);
    const reads = readFileSync(join(dir, "reads.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Reading);
    expect(reads).toHaveLength(READS);
    const expected = netVehicles(reads);
    expect(expected).toBeGreaterThan(0);

    const countUrl = `${system.ingestUrl}/v1/sites/${DEMO_SITE}/spaces/lot/count`;
    await eventually(async () => {
      const status = await getJson<{ backlog: number }>(`${system.agentUrl}/v1/status`);
      expect(status.backlog).toBe(0);
      expect((await getJson<{ count: number }>(countUrl)).count).toBe(expected);
    });

    // Every read is stored exactly once, with the gateway's seqs 1..READS.
    const db = new Database(join(dir, "ingest.db"), { readonly: true });
    const stored = db
      .prepare(
        "SELECT count(*) AS n, count(DISTINCT seq) AS d, min(seq) AS lo, max(seq) AS hi FROM events WHERE gateway = ?",
      )
      .get(DEMO_GATEWAY);
    db.close();
    expect(stored).toEqual({ n: READS, d: READS, lo: 1, hi: READS });

    // A count in the past equals the net of the reads that had occurred by then.
    const middle = reads[READS / 2 - 1] as Reading;
    const at = middle.occurredAt as string;
    const past = await getJson<{ count: number; at: string }>(`${countUrl}?at=${encodeURIComponent(at)}`);
    expect(past.count).toBe(netVehicles(reads.filter((read) => (read.occurredAt as string) <= at)));

    const spaces = await getJson<{ spaces: { id: string; count: number; capacity?: number }[] }>(
      `${system.ingestUrl}/v1/sites/${DEMO_SITE}/spaces`,
    );
    expect(spaces.spaces.find((space) => space.id === "lot")).toMatchObject({
      count: expected,
      capacity: 500,
    });
  });
});
