import { createServer, type Socket } from "node:net";
import { EnvelopeSchema } from "@lotwatch/protocol/envelope.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Agent, createAgent } from "./agent.js";
import { createSilentLogger } from "./common/logger.js";
import { parseConfig } from "./config/load-config.js";
import { createCleanups } from "./test-support/cleanups.js";
import { createTempDir, type TempDir } from "./test-support/temp-dir.js";
import { startTestBroker, type TestBroker, waitFor } from "./test-support/test-broker.js";

describe("createAgent", () => {
  let dir: TempDir;
  let broker: TestBroker;
  const cleanups = createCleanups();

  beforeEach(async () => {
    dir = createTempDir();
    cleanups.add(() => dir.remove());
    broker = await startTestBroker();
    cleanups.add(() => broker.close());
  });
  afterEach(() => cleanups.run());

  it("carries sensor lines to the broker and reports them over HTTP", async () => {
    const sockets: Socket[] = [];
    const sensor = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => sensor.listen(0, "127.0.0.1", () => resolve()));
    const sensorPort = (sensor.address() as { port: number }).port;
    cleanups.add(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          sensor.close(() => resolve());
        }),
    );

    const config = parseConfig(
      {
        gateway: { id: "gw-1", site: "mall-a" },
        broker: { url: broker.url },
        buffer: { path: dir.file("buffer.db") },
        http: { port: 0 },
        forward: { reconnectMinMs: 20 },
        inputs: [
          {
            type: "tcp-serial",
            name: "cam0",
            host: "127.0.0.1",
            port: sensorPort,
            format: "jsonl",
            reopenMinMs: 20,
          },
        ],
      },
      "test.yaml",
      { env: {} },
    );
    const agent: Agent = createAgent({
      config,
      loggerFor: () => createSilentLogger(),
      processMetrics: false,
    });
    cleanups.add(() => agent.stop());
    const { httpUrl } = await agent.start();
    expect(httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    await waitFor(() => sockets.length === 1, "the input to connect");
    for (let i = 0; i < 50; i++)
      sockets[0]?.write(`{"type":"slot.state","slot":"L1-${i}","occupied":true}\n`);
    sockets[0]?.write("garbage\n");
    await waitFor(() => agent.status().accepted === 50 && agent.status().backlog === 0, "50 readings acked");

    const events = broker.received
      .filter((publish) => publish.topic === "lotwatch/v1/mall-a/gw-1/events")
      .flatMap((publish) => EnvelopeSchema.parse(JSON.parse(publish.payload)).events);
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(events[0]).toMatchObject({ type: "slot.state", site: "mall-a", slot: "L1-0" });

    const status = (await (await fetch(`${httpUrl}/v1/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      gateway: "gw-1",
      site: "mall-a",
      connected: true,
      backlog: 0,
      accepted: 50,
      malformed: 1,
    });
    expect(status.bootId).toBe(agent.bootId);
    expect(status.lastAckAt).toEqual(expect.any(String));
    const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
    expect(metrics).toContain('lotwatch_agent_readings_accepted_total{input="cam0"} 50');
    expect(metrics).toContain('lotwatch_agent_malformed_lines_total{input="cam0",reason="json"} 1');

    await agent.stop();
    await expect(fetch(`${httpUrl}/healthz`)).rejects.toThrow();
  });

  it("refuses to start when the HTTP port is taken, and releases the buffer", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    cleanups.add(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const config = parseConfig(
      {
        gateway: { id: "gw-1", site: "mall-a" },
        broker: { url: broker.url },
        buffer: { path: dir.file("buffer.db") },
        http: { port: (blocker.address() as { port: number }).port },
      },
      "test.yaml",
      { env: {} },
    );
    const agent = createAgent({ config, loggerFor: () => createSilentLogger(), processMetrics: false });
    await expect(agent.start()).rejects.toMatchObject({ code: "HTTP_LISTEN_FAILED" });
    // The buffer file is closed, so a second agent can open it.
    const second = createAgent({
      config: { ...config, http: { ...config.http, port: 0 } },
      loggerFor: () => createSilentLogger(),
    });
    cleanups.add(() => second.stop());
    await second.start();
  });
});
