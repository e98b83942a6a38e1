import { EnvelopeSchema } from "@lotwatch/protocol/envelope.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Agent, createAgent } from "./agent.js";
import type { CountsAnswer } from "./api/routes/counts.js";
import type { AgentStatus } from "./api/routes/status.js";
import { createSilentLogger } from "./common/logger.js";
import { parseConfig } from "./config/load-config.js";
import { createCleanups } from "./test-support/cleanups.js";
import { type LineSensor, startLineSensor } from "./test-support/line-sensor.js";
import { createTempDir, type TempDir } from "./test-support/temp-dir.js";
import { startTestBroker, type TestBroker, waitFor } from "./test-support/test-broker.js";

describe("the agent's local counts", () => {
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

  async function startAgent(synced: boolean | undefined): Promise<{ agent: Agent; httpUrl: string }> {
    const config = parseConfig(
      {
        gateway: { id: "gw-1", site: "mall-a" },
        broker: { url: broker.url },
        buffer: { path: dir.file("buffer.db") },
        http: { port: 0 },
        forward: { reconnectMinMs: 20 },
        inputs: [
          { type: "tcp-serial", host: "127.0.0.1", port: sensor.port, format: "jsonl", reopenMinMs: 20 },
        ],
      },
      "test.yaml",
      { env: {} },
    );
    const agent = createAgent({
      config,
      loggerFor: () => createSilentLogger(),
      processMetrics: false,
      clockSync: { synced: () => synced },
    });
    const { httpUrl } = await agent.start();
    return { agent, httpUrl };
  }

  const getJson = async <T>(url: string) => (await (await fetch(url)).json()) as T;

  it("serves counts that survive a restart, flagging readings it stamped on an unsynchronized clock", async () => {
    const first = await startAgent(false);
    cleanups.add(() => first.agent.stop());
    await sensor.send([
      { type: "vehicle.entry", lane: "entry-1", plate: "A1" },
      { type: "vehicle.entry", lane: "entry-1", plate: "A2" },
      { type: "vehicle.exit", lane: "exit-1", plate: "A1" },
      { type: "door.crossing", door: "door-1", direction: 1, count: 2 },
      { type: "slot.state", slot: "L1-001", occupied: true, occurredAt: "2026-11-22T10:00:00.000Z" },
    ]);
    await waitFor(
      () => first.agent.status().accepted === 5 && first.agent.buffer.depth() === 0,
      "5 readings acked",
    );
    const counts = await getJson<CountsAnswer>(`${first.httpUrl}/v1/counts`);
    expect(counts).toMatchObject({
      gateway: "gw-1",
      site: "mall-a",
      lanes: [
        { lane: "entry-1", entries: 2, exits: 0, net: 2 },
        { lane: "exit-1", entries: 0, exits: 1, net: -1 },
      ],
      doors: [{ door: "door-1", in: 2, out: 0, net: 2 }],
      slots: [{ slot: "L1-001", occupied: true, since: "2026-11-22T10:00:00.000Z" }],
    });
    expect((await getJson<AgentStatus>(`${first.httpUrl}/v1/status`)).clockSynced).toBe(false);
    const events = broker.received
      .filter((publish) => publish.topic.endsWith("/events"))
      .flatMap((publish) => EnvelopeSchema.parse(JSON.parse(publish.payload)).events);
    // The bay sensor sent its own time: the gateway's clock did not stamp it, so it is not flagged.
    expect(events.map((event) => event.clockSynced)).toEqual([false, false, false, false, undefined]);
    expect(events.map((event) => event.uptimeMs === undefined)).toEqual([false, false, false, false, true]);
    await first.agent.stop();

    // The broker is gone: the counts still come from the gateway, and from before the restart.
    await broker.stop();
    const second = await startAgent(true);
    cleanups.add(() => second.agent.stop());
    const again = await getJson<CountsAnswer>(`${second.httpUrl}/v1/counts`);
    expect({ ...again, at: counts.at }).toEqual(counts);
    expect((await getJson<AgentStatus>(`${second.httpUrl}/v1/status`)).clockSynced).toBe(true);
  });
});
