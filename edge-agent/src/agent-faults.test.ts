import { EnvelopeSchema } from "@lotwatch/protocol/envelope.js";
import type { GatewayGap, LotwatchEvent } from "@lotwatch/protocol/events.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Agent, createAgent } from "./agent.js";
import type { AgentStatus } from "./api/routes/status.js";
import { createSilentLogger } from "./common/logger.js";
import { parseConfig } from "./config/load-config.js";
import { createCleanups } from "./test-support/cleanups.js";
import { type LineSensor, startLineSensor } from "./test-support/line-sensor.js";
import { createTempDir, type TempDir } from "./test-support/temp-dir.js";
import { startTestBroker, type TestBroker, waitFor } from "./test-support/test-broker.js";

const entries = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({
    type: "vehicle.entry",
    lane: "entry-1",
    plate: `P${from + i}`,
  }));

describe("the agent on a full disk", () => {
  let dir: TempDir;
  let broker: TestBroker;
  let sensor: LineSensor;
  const cleanups = createCleanups();

  beforeEach(async () => {
    dir = createTempDir();
    cleanups.add(() => dir.remove());
    broker = await startTestBroker();
    cleanups.add(() => broker.close());
    sensor = await startLineSensor();
    cleanups.add(() => sensor.close());
  });
  afterEach(() => cleanups.run());

  async function startAgent(): Promise<{ agent: Agent; httpUrl: string }> {
    const config = parseConfig(
      {
        gateway: { id: "gw-1", site: "mall-a" },
        broker: { url: broker.url },
        // A small reserve, so making room on a full disk drops a part of this small buffer, not all.
        buffer: { path: dir.file("buffer.db"), reserve: "64KB" },
        http: { port: 0 },
        forward: { reconnectMinMs: 20, reconnectMaxMs: 100 },
        inputs: [
          {
            type: "tcp-serial",
            name: "cam0",
            host: "127.0.0.1",
            port: sensor.port,
            format: "jsonl",
            reopenMinMs: 20,
          },
        ],
      },
      "test.yaml",
      { env: {} },
    );
    const agent = createAgent({ config, loggerFor: () => createSilentLogger(), processMetrics: false });
    cleanups.add(() => agent.stop());
    const { httpUrl } = await agent.start();
    return { agent, httpUrl };
  }

  const getStatus = async (httpUrl: string) =>
    (await (await fetch(`${httpUrl}/v1/status`)).json()) as AgentStatus;
  const delivered = (): LotwatchEvent[] =>
    broker.received
      .filter((publish) => publish.topic === "lotwatch/v1/mall-a/gw-1/events")
      .flatMap((publish) => EnvelopeSchema.parse(JSON.parse(publish.payload)).events);

  it("keeps accepting by dropping the oldest readings, and delivers gap events naming exactly them", async () => {
    await broker.stop();
    const { agent, httpUrl } = await startAgent();
    await sensor.send(entries(2000));
    await waitFor(() => agent.status().accepted === 2000, "2000 readings accepted");

    // SQLite answers a genuine SQLITE_FULL from now on, whenever the file would grow.
    agent.buffer.setPageLimit(1);
    for (let i = 0; i < 4; i++) await sensor.send(entries(500, 2000 + i * 500));
    await waitFor(() => agent.status().accepted === 4000, "4000 readings accepted on a full disk");
    const status = await getStatus(httpUrl);
    expect(status.dropped).toBeGreaterThan(0);
    expect(status.dropped).toBeLessThan(3000);
    expect(status.buffer).toMatchObject({ diskFull: false, refused: 0 });
    expect(status.buffer.diskFullEvents).toBeGreaterThan(0);
    const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
    expect(metrics).toContain(`lotwatch_agent_readings_dropped_total{reason="disk-full"} ${status.dropped}`);
    expect(metrics).toMatch(/lotwatch_agent_disk_full_total [1-9]/);

    await broker.start();
    await waitFor(() => agent.buffer.depth() === 0, "the backlog to drain");
    const events = delivered();
    const gaps = events.filter((event): event is GatewayGap => event.type === "gateway.gap");
    expect(gaps.length).toBeGreaterThan(0);
    expect(gaps.every((gap) => gap.reason === "disk-full")).toBe(true);
    // Every seq up to the last one is either a delivered event or named by a gap event.
    const covered = new Set(events.map((event) => event.seq));
    let named = 0;
    for (const gap of gaps) {
      for (let seq = gap.fromSeq; seq <= gap.toSeq; seq++) {
        expect(covered.has(seq)).toBe(false);
        covered.add(seq);
        named++;
      }
    }
    expect(named).toBe(status.dropped);
    const top = Math.max(...covered);
    expect(covered.size).toBe(top);
    expect(top).toBe(4000 + gaps.length);
  });

  it("refuses readings while nothing is left to drop, keeps serving, and resumes when space returns", async () => {
    const { agent, httpUrl } = await startAgent();
    agent.buffer.setPageLimit(1);
    await sensor.send(entries(2000));
    await waitFor(() => agent.status().buffer.diskFull, "the buffer to refuse readings");
    const refusing = await getStatus(httpUrl);
    expect(refusing.buffer.refused).toBeGreaterThan(0);
    expect(refusing.buffer.diskFullSince).toEqual(expect.any(String));
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
    expect(metrics).toContain("lotwatch_agent_buffer_disk_full 1");
    expect(metrics).toMatch(/lotwatch_agent_readings_refused_total\{input="cam0",reason="disk-full"\} [1-9]/);

    agent.buffer.setPageLimit(1_000_000);
    const before = agent.status().accepted;
    await sensor.send(entries(10, 5000));
    await waitFor(() => agent.status().accepted === before + 10, "readings accepted once there is room");
    expect((await getStatus(httpUrl)).buffer.diskFull).toBe(false);
    await waitFor(() => agent.buffer.depth() === 0, "the readings to reach the broker");
  });
});
