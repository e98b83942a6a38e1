import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../test-support/silent-logger.js";
import { type ControlServer, startControlServer } from "./control-server.js";
import { createFaultProxy, type FaultProxy, type FaultProxyStats } from "./fault-proxy.js";
import { connectClient, startTestServer } from "./test-support/tcp.js";

/** What a control request answers: the stats, or an error. */
type Answer = Partial<FaultProxyStats> & { error?: { code: string; message: string } };

describe("fault proxy control server", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(): Promise<{ proxy: FaultProxy; control: ControlServer }> {
    const target = await startTestServer({ echo: true });
    cleanups.push(() => target.close());
    const proxy = await createFaultProxy({
      target: { host: "127.0.0.1", port: target.port },
      logger: silentLogger,
    });
    cleanups.push(() => proxy.close());
    const control = await startControlServer({ proxy, logger: silentLogger });
    cleanups.push(() => control.close());
    return { proxy, control };
  }

  async function post(control: ControlServer, path: string): Promise<{ status: number; body: Answer }> {
    const response = await fetch(`${control.url}${path}`, { method: "POST" });
    return { status: response.status, body: (await response.json()) as Answer };
  }

  it("cuts, stalls, shapes and restores the link, answering the stats each time", async () => {
    const { proxy, control } = await setUp();
    const echo = await connectClient(proxy.port);
    cleanups.push(async () => void echo.socket.destroy());

    expect(await post(control, "/cut")).toMatchObject({
      status: 200,
      body: { state: "cut", cutMode: "refuse" },
    });
    await echo.closed;
    expect((await post(control, "/cut?mode=blackhole")).body).toMatchObject({
      state: "cut",
      cutMode: "blackhole",
    });
    expect((await post(control, "/stall")).body).toMatchObject({ state: "stalled" });
    expect((await post(control, "/latency?ms=25")).body).toMatchObject({ latencyMs: 25 });
    expect((await post(control, "/bandwidth?bytesPerSecond=1000000")).body).toMatchObject({
      bytesPerSecond: 1e6,
    });
    expect((await post(control, "/drop?probability=0.1")).body).toMatchObject({ dropProbability: 0.1 });
    expect((await post(control, "/loss?probability=0.1")).body).toMatchObject({ lossProbability: 0.1 });
    expect((await post(control, "/restore")).body).toMatchObject({
      state: "open",
      latencyMs: 0,
      bytesPerSecond: 0,
      dropProbability: 0,
      lossProbability: 0,
    });

    const status = await fetch(`${control.url}/status`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ state: "open", acceptedConnections: 1, cutConnections: 1 });
  });

  it.each([
    ["/latency?ms=-5", 'ms must be a number ≥ 0, got "-5"'],
    ["/latency", "ms must be a number ≥ 0, got nothing"],
    ["/bandwidth?bytesPerSecond=fast", 'bytesPerSecond must be a number ≥ 0 (0 = unlimited), got "fast"'],
    ["/drop?probability=1.5", 'probability must be a number from 0 to 1, got "1.5"'],
    ["/cut?mode=unplug", 'mode must be one of refuse, blackhole, got "unplug"'],
  ])("answers POST %s with a 400 naming the parameter", async (path, message) => {
    const { proxy, control } = await setUp();
    expect(await post(control, path)).toEqual({
      status: 400,
      body: { error: { code: "bad_parameter", message } },
    });
    expect(proxy.stats()).toMatchObject({ state: "open", latencyMs: 0 });
  });

  it("answers unknown paths with 404 and wrong methods with 405", async () => {
    const { control } = await setUp();
    const missing = await post(control, "/unplug");
    expect(missing.status).toBe(404);
    expect(missing.body.error?.message).toMatch(
      /no such control path \/unplug; try GET \/status, POST \/cut/,
    );
    const wrongMethod = await fetch(`${control.url}/cut`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    expect((await post(control, "/status")).status).toBe(405);
  });
});
