import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import type { SimReading } from "../scenario/sim-read.js";
import { createTcpSerialOutput } from "./tcp-serial-output.js";

const reading = (plate: string): SimReading => ({
  type: "vehicle.entry",
  lane: "entry-1",
  plate,
  confidence: 0.9,
  occurredAt: "2026-11-21T08:00:00.000Z",
});

function collect(socket: Socket): { text: () => string; closed: Promise<void> } {
  let text = "";
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return { text: () => text, closed: new Promise((resolve) => socket.once("close", () => resolve())) };
}

describe("tcp-serial output", () => {
  it("waits for the agent to connect, sends jsonl lines, and ends the connection on close", async () => {
    const output = await createTcpSerialOutput({ host: "127.0.0.1", port: 0 });
    const port = output.describe.port as number;
    expect(port).toBeGreaterThan(0);
    const controller = new AbortController();
    let sent = false;
    const sending = output
      .send([reading("AB12CD3456"), reading("EF34GH5678")], controller.signal)
      .then(() => {
        sent = true;
      });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sent).toBe(false);

    const socket = connect({ host: "127.0.0.1", port });
    const received = collect(socket);
    await sending;
    await output.close();
    await received.closed;
    expect(received.text()).toBe(
      `${JSON.stringify(reading("AB12CD3456"))}\n${JSON.stringify(reading("EF34GH5678"))}\n`,
    );
  });

  it("stops waiting for a client when aborted", async () => {
    const output = await createTcpSerialOutput({ host: "127.0.0.1", port: 0 });
    const controller = new AbortController();
    const sending = output.send([reading("AB12CD3456")], controller.signal);
    controller.abort();
    await expect(sending).resolves.toBeUndefined();
    await output.close();
  });

  it("names the address when it cannot listen", async () => {
    const first = await createTcpSerialOutput({ host: "127.0.0.1", port: 0 });
    await expect(
      createTcpSerialOutput({ host: "127.0.0.1", port: first.describe.port as number }),
    ).rejects.toThrow(`could not listen on 127.0.0.1:${first.describe.port}`);
    await first.close();
  });
});
