import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createRandom } from "../random/random.js";
import { silentLogger } from "../test-support/silent-logger.js";
import { createFaultProxy, type FaultProxy, type FaultProxyOptions } from "./fault-proxy.js";
import { connectClient, startTestServer, type TestServer, waitUntil } from "./test-support/tcp.js";

describe("fault proxy", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(
    echo = true,
    options: Partial<FaultProxyOptions> = {},
  ): Promise<{ target: TestServer; proxy: FaultProxy }> {
    const target = await startTestServer({ echo });
    cleanups.push(() => target.close());
    const proxy = await createFaultProxy({
      target: { host: "127.0.0.1", port: target.port },
      logger: silentLogger,
      ...options,
    });
    cleanups.push(() => proxy.close());
    return { target, proxy };
  }

  async function client(proxy: FaultProxy) {
    const connected = await connectClient(proxy.port);
    cleanups.push(async () => {
      connected.socket.destroy();
    });
    return connected;
  }

  it("forwards bytes both ways unchanged", async () => {
    const { proxy } = await setUp();
    const sent = randomBytes(2 * 1024 * 1024);
    const echo = await client(proxy);
    echo.socket.write(sent);
    expect((await echo.waitForBytes(sent.length, 10_000)).equals(sent)).toBe(true);
    expect(proxy.stats()).toMatchObject({
      state: "open",
      activeConnections: 1,
      acceptedConnections: 1,
      bytesToTarget: sent.length,
      bytesFromTarget: sent.length,
    });
  });

  it("passes a half-close on after the bytes before it, and forgets the connection once both ends close", async () => {
    const { target, proxy } = await setUp(false, { shape: { latencyMs: 30 } });
    const sender = await client(proxy);
    sender.socket.end(Buffer.from("last words"));
    await waitUntil(() => target.received().toString() === "last words", "the bytes before the FIN");
    await waitUntil(() => target.sockets[0]?.readableEnded === true, "the FIN at the target");
    target.sockets[0]?.end();
    await sender.closed;
    await waitUntil(() => proxy.stats().activeConnections === 0, "the connection to be forgotten");
  });

  it("cut closes open connections and resets new ones, without reaching the target, until restored", async () => {
    const { target, proxy } = await setUp();
    const before = await client(proxy);
    await waitUntil(() => target.sockets.length === 1, "the first connection at the target");

    proxy.cut();
    expect(await before.closed).toBeDefined();
    const refused = connect({ host: "127.0.0.1", port: proxy.port });
    await new Promise((resolve) => refused.once("close", resolve).once("error", () => {}));
    expect(target.sockets).toHaveLength(1);
    expect(proxy.stats()).toMatchObject({ state: "cut", refusedConnections: 1, cutConnections: 1 });

    proxy.restore();
    const after = await client(proxy);
    after.socket.write("again");
    expect((await after.waitForBytes(5)).toString()).toBe("again");
    expect(target.sockets).toHaveLength(2);
  });

  it("cut in blackhole mode holds new connections in silence and closes them on restore", async () => {
    const { target, proxy } = await setUp();
    proxy.cut("blackhole");
    const held = await client(proxy);
    held.socket.write("anyone there?");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(held.received()).toHaveLength(0);
    expect(held.socket.destroyed).toBe(false);
    expect(target.sockets).toHaveLength(0);
    expect(proxy.stats().blackholedConnections).toBe(1);

    proxy.restore();
    await held.closed;
    const after = await client(proxy);
    after.socket.write("hello");
    expect((await after.waitForBytes(5)).toString()).toBe("hello");
  });

  it("stall keeps the sockets open and holds the bytes, then delivers them in order on restore", async () => {
    const { target, proxy } = await setUp(false);
    const sender = await client(proxy);
    await waitUntil(() => target.sockets.length === 1, "the connection at the target");
    proxy.stall();
    const parts = Array.from({ length: 50 }, (_, i) => `part-${i};`);
    for (const part of parts) sender.socket.write(part);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.received()).toHaveLength(0);
    expect(sender.socket.destroyed).toBe(false);
    expect(proxy.stats()).toMatchObject({ state: "stalled", activeConnections: 1 });

    proxy.restore();
    const expected = parts.join("");
    await waitUntil(() => target.received().length === expected.length, "the held bytes");
    expect(target.received().toString()).toBe(expected);
  });

  it("a stalled link pushes back on the sender instead of buffering without bound", async () => {
    const { target, proxy } = await setUp(false);
    const sender = await client(proxy);
    await waitUntil(() => target.sockets.length === 1, "the connection at the target");
    proxy.stall();
    const block = randomBytes(1024 * 1024);
    const total = 32;
    for (let i = 0; i < total; i++) sender.socket.write(block);
    // The kernel's loopback buffers take a few MB; the rest must wait in the sender's own queue.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sender.socket.writableLength).toBeGreaterThan(12 * 1024 * 1024);

    proxy.restore();
    await waitUntil(() => target.received().length === total * block.length, "all bytes", 20_000);
  }, 30_000);

  it("adds the latency to each direction", async () => {
    const { proxy } = await setUp(true, { shape: { latencyMs: 100 } });
    const echo = await client(proxy);
    const started = performance.now();
    echo.socket.write("ping");
    await echo.waitForBytes(4);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);

    proxy.shape({ latencyMs: 0 });
    const again = performance.now();
    echo.socket.write("ping");
    await echo.waitForBytes(8);
    expect(performance.now() - again).toBeLessThan(100);
  });

  it("limits the bandwidth per direction", async () => {
    const { target, proxy } = await setUp(false, { shape: { bytesPerSecond: 100_000 } });
    const sender = await client(proxy);
    const started = performance.now();
    sender.socket.write(randomBytes(50_000));
    await waitUntil(() => target.received().length === 50_000, "50 kB", 5_000);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(3_000);
  });

  it("resets connections with the drop probability, and draws from the given random", async () => {
    const { proxy } = await setUp(true, {
      shape: { dropProbability: 0.5 },
      random: createRandom(7).next,
    });
    let survived = 0;
    for (let i = 0; i < 20; i++) {
      const echo = await client(proxy);
      echo.socket.write("x");
      const outcome = await Promise.race([
        echo.waitForBytes(1, 2_000).then(() => "echoed"),
        echo.closed.then(() => "dropped"),
      ]);
      if (outcome === "echoed") survived++;
      echo.socket.destroy();
    }
    const { droppedConnections } = proxy.stats();
    // Each echo crosses the proxy twice, so a connection survives with probability 1/4.
    expect(droppedConnections).toBe(20 - survived);
    expect(survived).toBeGreaterThan(0);
    expect(droppedConnections).toBeGreaterThan(10);
  });

  it("delivers every byte in order through packet loss, late by the retransmission timeouts", async () => {
    const { target, proxy } = await setUp(false, {
      shape: { lossProbability: 0.3, retransmitMs: 50 },
      random: createRandom(11).next,
    });
    const sender = await client(proxy);
    const sent = randomBytes(64 * 1024);
    const started = performance.now();
    // Separate writes, so the proxy sees many chunks and draws a loss for each.
    for (let offset = 0; offset < sent.length; offset += 4096) {
      sender.socket.write(sent.subarray(offset, offset + 4096));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await waitUntil(() => target.received().length === sent.length, "every byte", 10_000);
    expect(target.received().equals(sent)).toBe(true);
    const { lostChunks, droppedConnections } = proxy.stats();
    expect(lostChunks).toBeGreaterThan(0);
    expect(droppedConnections).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
  });

  it("resets the client when the target refuses the connection", async () => {
    const { target, proxy } = await setUp();
    await target.close();
    const socket = connect({ host: "127.0.0.1", port: proxy.port });
    const error = await new Promise<Error | undefined>((resolve) => {
      socket.once("error", resolve);
      socket.once("close", () => resolve(undefined));
    });
    socket.destroy();
    expect(error === undefined || /ECONNRESET/.test(error.message)).toBe(true);
    await waitUntil(() => proxy.stats().activeConnections === 0, "the failed connection to be forgotten");
  });

  it("rejects a shape out of range, naming the setting", async () => {
    const { proxy } = await setUp();
    expect(() => proxy.shape({ latencyMs: -1 })).toThrow("latencyMs must be a number ≥ 0, got -1");
    expect(() => proxy.shape({ dropProbability: 2 })).toThrow("dropProbability must be from 0 to 1, got 2");
    expect(() => proxy.shape({ bytesPerSecond: Number.NaN })).toThrow(/bytesPerSecond must be/);
    expect(() => proxy.shape({ lossProbability: 1 })).toThrow("lossProbability must be ≥ 0 and < 1, got 1");
    expect(proxy.stats()).toMatchObject({ latencyMs: 0, dropProbability: 0, bytesPerSecond: 0 });
  });
});
