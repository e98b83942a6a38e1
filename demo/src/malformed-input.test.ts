import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newEventId } from "@lotwatch/protocol/ids.js";
import { buildTopic } from "@lotwatch/protocol/topics.js";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SITE, type DemoSystem, startDemoSystem } from "./system.js";
import { eventually, getJson } from "./test-support/http.js";

const VALID_LINES = 200;

function entryLine(i: number): string {
  return `${JSON.stringify({ type: "vehicle.entry", lane: "entry-1", plate: `E2E${String(i).padStart(5, "0")}` })}\n`;
}

/** Random bytes with no newline, so each chunk is exactly one malformed line once a newline follows. */
function garbage(length: number): Buffer {
  return Buffer.from(randomBytes(length).map((byte) => (byte === 0x0a ? 0x20 : byte)));
}

describe("malformed input never costs a valid reading nor crashes a service", () => {
  let dir: string;
  let system: DemoSystem;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lotwatch-e2e-bad-"));
    system = await startDemoSystem({ dir, httpPort: 0, mqttPort: 0, camera: null });
  });

  afterAll(async () => {
    await system?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps every valid serial line among binary garbage, an overlong line and a half line at disconnect", async () => {
    const device = await open(system.pty.simPath, "w");
    let garbageLines = 0;
    for (let i = 0; i < VALID_LINES; i++) {
      await device.write(entryLine(i));
      if (i % 10 === 0) {
        await device.write(Buffer.concat([garbage(64), Buffer.from("\n")]));
        garbageLines++;
      }
      if (i === 100) {
        await device.write(`{"type":"vehicle.entry","lane":"entry-1","plate":"${"X".repeat(20_000)}"}\n`);
        garbageLines++;
      }
    }
    await device.write('{"type":"vehicle.entry","lane":"entry-1","pla');
    await device.close();

    const countUrl = `${system.ingestUrl}/v1/sites/${DEMO_SITE}/spaces/lot/count`;
    await eventually(async () => {
      expect((await getJson<{ count: number }>(countUrl)).count).toBe(VALID_LINES);
      const status = await getJson<{ backlog: number; malformed: number }>(`${system.agentUrl}/v1/status`);
      expect(status.backlog).toBe(0);
      expect(status.malformed).toBeGreaterThanOrEqual(garbageLines);
    });

    // The serial device disappears with a half line pending: the agent counts it and keeps serving.
    await system.pty.close();
    await eventually(async () => {
      const status = await getJson<{ malformed: number }>(`${system.agentUrl}/v1/status`);
      expect(status.malformed).toBe(garbageLines + 1);
    });
    expect(await getJson(`${system.agentUrl}/healthz`)).toEqual({ ok: true });
    for (const service of system.services) expect(service.child.exitCode).toBeNull();
  });

  it("stores the valid events of an envelope and rejects the rest with reasons", async () => {
    const gateway = "gw-bad-sender";
    const topic = buildTopic(DEMO_SITE, gateway, "events");
    const before = (
      await getJson<{ count: number }>(`${system.ingestUrl}/v1/sites/${DEMO_SITE}/spaces/lot/count`)
    ).count;
    const event = (seq: number, extra: object = {}) => ({
      id: newEventId(),
      seq,
      type: "vehicle.entry",
      site: DEMO_SITE,
      occurredAt: new Date().toISOString(),
      plate: `BAD${seq}`,
      lane: "entry-1",
      ...extra,
    });
    const header = { v: 1, gateway, sentAt: new Date().toISOString(), bootId: "e2e", uptimeMs: 1 };
    const client = await mqtt.connectAsync(system.mqttUrl, {
      clientId: "e2e-bad-sender",
      protocolVersion: 4,
    });
    try {
      await client.publishAsync(topic, "this is not JSON", { qos: 1 });
      await client.publishAsync(topic, JSON.stringify({ ...header, v: 2, events: [event(1)] }), { qos: 1 });
      await client.publishAsync(topic, JSON.stringify({ ...header, events: "nope" }), { qos: 1 });
      const mixed = [event(10), event(11, { plate: 42 }), event(12, { lane: undefined }), event(13)];
      await client.publishAsync(topic, JSON.stringify({ ...header, events: mixed }), { qos: 1 });
    } finally {
      await client.endAsync();
    }

    const after = await getJson<{ count: number }>(
      `${system.ingestUrl}/v1/sites/${DEMO_SITE}/spaces/lot/count`,
    );
    expect(after.count).toBe(before + 2);
    const { rejected } = await getJson<{ rejected: { reason: string; eventIndex: number | null }[] }>(
      `${system.ingestUrl}/v1/rejected?limit=10`,
    );
    const reasons = rejected.map((r) => r.reason).join("\n");
    expect(reasons).toMatch(/not JSON/);
    expect(reasons).toMatch(/^v: v must be 1/m);
    expect(reasons).toMatch(/events must be an array/);
    expect(reasons).toMatch(/events\[1\]\.plate: plate must be a string/);
    expect(reasons).toMatch(/events\[2\]\.lane/);
    expect(await getJson(`${system.ingestUrl}/healthz`)).toEqual({ ok: true });
  });
});
