import { createServer, type Server, type Socket } from "node:net";
import type { Reading } from "@lotwatch/protocol/events.js";
import { afterEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../common/logger.js";
import { createCleanups } from "../../test-support/cleanups.js";
import { createRecordingObserver } from "../../test-support/recording-observer.js";
import { waitFor } from "../../test-support/test-broker.js";
import { createTcpSerialInput } from "./tcp-serial-input.js";

describe("tcp-serial input", () => {
  const cleanups = createCleanups();
  afterEach(() => cleanups.run());

  async function listen(server: Server, port = 0): Promise<number> {
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no TCP address");
    return address.port;
  }

  it("reads delimited lines and reconnects after the peer drops the connection", async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    const port = await listen(server);
    cleanups.add(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    const readings: Reading[] = [];
    const observer = createRecordingObserver();
    const input = createTcpSerialInput(
      {
        type: "tcp-serial",
        name: "dpu0",
        host: "127.0.0.1",
        port,
        format: "delimited",
        delimited: { separator: ",", fields: ["type", "door", "direction", "count"] },
        maxLineLength: 128,
        checksum: "none",
        reopenMinMs: 20,
        reopenMaxMs: 100,
      },
      { sink: async (batch) => void readings.push(...batch), logger: createSilentLogger(), observer },
    );
    cleanups.add(() => input.close());
    input.start();
    await waitFor(() => sockets.length === 1, "the first connection");

    sockets[0]?.write("door.crossing,door-1,1,\ndoor.crossing,door-1,-1,2\nnot,a,reading\ndoor.cr");
    await waitFor(() => readings.length === 2, "two readings");
    await new Promise((resolve) => setTimeout(resolve, 50));
    sockets[0]?.destroy();
    await waitFor(() => observer.malformedCounts.partial === 1, "the half line to be counted");

    await waitFor(() => sockets.length === 2 && observer.up, "the reconnection");
    sockets[1]?.write("door.crossing,door-2,1,\n");
    await waitFor(() => readings.length === 3, "a reading after reconnecting");
    expect(readings).toEqual([
      { type: "door.crossing", door: "door-1", direction: 1 },
      { type: "door.crossing", door: "door-1", direction: -1, count: 2 },
      { type: "door.crossing", door: "door-2", direction: 1 },
    ]);
    expect(observer.malformedCounts).toEqual({ fields: 1, partial: 1 });
    expect(observer.outages).toBe(1);
  });
});
