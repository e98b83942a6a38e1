import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { SimReading } from "../scenario/sim-read.js";
import { createHttpPushOutput } from "./http-push-output.js";

const at = "2026-11-21T08:00:00.000Z";
const entry: SimReading = {
  type: "vehicle.entry",
  lane: "entry-1",
  plate: "AB12CD3456",
  confidence: 0.9,
  occurredAt: at,
};
const exit: SimReading = {
  type: "vehicle.exit",
  lane: "exit-1",
  plate: "AB12CD3456",
  confidence: 0.9,
  occurredAt: at,
};

describe("camera HTTP push output", () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  async function agent(status: number) {
    const requests: { url: string; auth: string | undefined; body: unknown }[] = [];
    const server = createServer(async (request: IncomingMessage, response) => {
      let body = "";
      for await (const chunk of request) body += chunk;
      requests.push({ url: request.url ?? "", auth: request.headers.authorization, body: JSON.parse(body) });
      response
        .writeHead(status, { "content-type": "application/json" })
        .end(status === 202 ? "{}" : '{"error":{"code":"x"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    closers.push(() => server.close());
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  }

  it("posts each lane's reads as an array to /v1/lanes/{lane}/reads with the bearer token", async () => {
    const { url, requests } = await agent(202);
    const output = createHttpPushOutput({ agentUrl: `${url}/`, token: "t0k" });
    await output.send([entry, exit, { ...entry, plate: "ZZ99ZZ9999" }], new AbortController().signal);
    expect(requests).toEqual([
      {
        url: "/v1/lanes/entry-1/reads",
        auth: "Bearer t0k",
        body: [entry, { ...entry, plate: "ZZ99ZZ9999" }],
      },
      { url: "/v1/lanes/exit-1/reads", auth: "Bearer t0k", body: [exit] },
    ]);
  });

  it("fails with the agent's answer when it is not 202, and refuses door readings", async () => {
    const { url } = await agent(401);
    const output = createHttpPushOutput({ agentUrl: url });
    await expect(output.send([entry], new AbortController().signal)).rejects.toThrow(
      `POST ${url}/v1/lanes/entry-1/reads answered 401`,
    );
    await expect(
      output.send(
        [{ type: "door.crossing", door: "door-1", direction: 1, occurredAt: at }],
        new AbortController().signal,
      ),
    ).rejects.toThrow("door door-1: door counters cannot push over camera HTTP; pick lanes with --only");
  });
});
