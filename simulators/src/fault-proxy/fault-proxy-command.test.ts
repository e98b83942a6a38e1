import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FaultProxyReady } from "./fault-proxy-command.js";
import { connectClient, startTestServer, type TestServer, waitUntil } from "./test-support/tcp.js";

const cliPath = join(fileURLToPath(new URL("../..", import.meta.url)), "dist", "cli.js");

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function runCli(args: string[]): Running {
  const child = spawn(process.execPath, [cliPath, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LOTWATCH_LOG_LEVEL: "warn" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

describe("lotwatch-sim fault-proxy", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  let target: TestServer;

  beforeAll(() => {
    // `npm test` builds every package first; these tests run that build.
    if (!existsSync(join(cliPath, "..", "fault-proxy", "fault-proxy-command.js"))) {
      throw new Error(
        `${cliPath} has no fault-proxy yet: build first (npx tsc -p simulators/tsconfig.build.json)`,
      );
    }
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(args: string[]): Promise<Running> {
    const running = runCli(args);
    cleanups.push(() => {
      running.child.kill("SIGKILL");
    });
    return running;
  }

  it("prints its ports, obeys its control port and stops cleanly on SIGTERM", async () => {
    target = await startTestServer({ echo: true });
    cleanups.push(() => target.close());
    const proxy = await start([
      "fault-proxy",
      "--listen",
      "0",
      "--target",
      `127.0.0.1:${target.port}`,
      "--control-port",
      "0",
    ]);
    await waitUntil(
      () => proxy.stdout().includes("\n"),
      () => `the ready line; stderr: ${proxy.stderr()}`,
      15_000,
    );
    const ready = JSON.parse(proxy.stdout()) as FaultProxyReady;
    expect(ready).toMatchObject({
      listen: `127.0.0.1:${ready.listenPort}`,
      target: `127.0.0.1:${target.port}`,
    });
    expect(ready.controlUrl).toBe(`http://127.0.0.1:${ready.controlPort}`);

    const echo = await connectClient(ready.listenPort);
    echo.socket.write("through the proxy");
    expect((await echo.waitForBytes(17)).toString()).toBe("through the proxy");

    const cut = await fetch(`${ready.controlUrl}/cut`, { method: "POST" });
    expect(await cut.json()).toMatchObject({ state: "cut", cutConnections: 1 });
    await echo.closed;
    const latency = await fetch(`${ready.controlUrl}/latency?ms=10`, { method: "POST" });
    expect(await latency.json()).toMatchObject({ state: "cut", latencyMs: 10 });

    proxy.child.kill("SIGTERM");
    expect(await proxy.exited).toBe(0);
  });

  it("exits 2 with one line naming the flag when an argument is wrong", async () => {
    const proxy = await start(["fault-proxy", "--listen", "0", "--target", "nowhere"]);
    expect(await proxy.exited).toBe(2);
    expect(proxy.stderr()).toBe('error: --target must be host:port such as 127.0.0.1:1883, got "nowhere"\n');
  });

  it("exits 1 naming the option when its port is taken", async () => {
    target = await startTestServer({ echo: false });
    cleanups.push(() => target.close());
    const proxy = await start(["fault-proxy", "--listen", String(target.port), "--target", "127.0.0.1:1883"]);
    expect(await proxy.exited).toBe(1);
    expect(proxy.stderr()).toMatch(
      new RegExp(
        `^error: --listen ${target.port}: cannot listen there \\(EADDRINUSE\\); pick another port, or 0 for any free one \\(PORT_UNAVAILABLE\\)\\n$`,
      ),
    );
  });
});
