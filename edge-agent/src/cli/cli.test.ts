import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BuiltCli, builtCli } from "../test-support/built-cli.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { startTestBroker, type TestBroker, waitFor } from "../test-support/test-broker.js";
import type { CliIo } from "./cli-io.js";
import { main } from "./main.js";

function captureIo(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line) };
}

describe("lotwatch-agent", () => {
  let dir: TempDir;
  let broker: TestBroker;
  let cli: BuiltCli;

  beforeAll(() => {
    cli = builtCli();
  });

  beforeEach(async () => {
    dir = createTempDir();
    broker = await startTestBroker();
  });
  afterEach(async () => {
    try {
      await broker.close();
    } finally {
      dir.remove();
    }
  });

  function writeConfig(extra = ""): string {
    const file = dir.file("agent.yaml");
    writeFileSync(
      file,
      [
        "gateway: { id: gw-1, site: mall-a }",
        `broker: { url: "${broker.url}", username: gw-1, password: hunter2 }`,
        `buffer: { path: "${dir.file("buffer.db")}" }`,
        "http: { port: 0 }",
        extra,
      ].join("\n"),
    );
    return file;
  }

  it("check-config prints ok and a summary without the password", async () => {
    const io = captureIo();
    expect(await main(["check-config", writeConfig()], io)).toBe(0);
    expect(io.lines[0]).toBe("ok: gateway gw-1 at site mall-a, 0 input(s)");
    expect(io.lines.join("\n")).not.toContain("hunter2");
    expect(io.lines).toContain(
      `  buffer  ${dir.file("buffer.db")} (synchronous full, no cap: grows until the disk is full, disk reserve 8MB)`,
    );
    expect(io.lines).toContain("  clock   sync check auto");
  });

  it("check-config states the buffer caps", async () => {
    const io = captureIo();
    const file = writeConfig();
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace('buffer.db" }', 'buffer.db", maxBytes: 2GB, maxAge: 14d }'),
    );
    expect(await main(["check-config", file], io)).toBe(0);
    expect(io.lines.find((line) => line.startsWith("  buffer"))).toContain(
      "cap <= 2GB and readings <= 14d old",
    );
  });

  it("check-config names an unreadable TLS file", async () => {
    const io = captureIo();
    const file = writeConfig();
    const missing = dir.file("ca.pem");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        `url: "${broker.url}"`,
        `url: "mqtts://127.0.0.1:8883", ca: "${missing}"`,
      ),
    );
    expect(await main(["check-config", file], io)).toBe(1);
    expect(io.errors[0]).toMatch(new RegExp(`^broker\\.ca: cannot read ${missing}: ENOENT`));
  });

  it("check-config prints each error and exits 1", async () => {
    const io = captureIo();
    const file = writeConfig("forward: { maxInFlight: -1, batchSize: 3 }");
    expect(await main(["check-config", file], io)).toBe(1);
    expect(io.errors).toEqual([
      `${file}: forward.maxInFlight: expected an integer from 1 to 1000`,
      `${file}: forward.batchSize: unknown key`,
    ]);
  });

  it("status explains an unreachable agent and exits 1", async () => {
    const io = captureIo();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", () => resolve()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await main(["status", "--url", `http://127.0.0.1:${port}`], io)).toBe(1);
    expect(io.errors[0]).toMatch(/^cannot reach the agent at http:\/\/127\.0\.0\.1:\d+\/v1\/status: /);
  });

  it("run serves until SIGTERM, writes the ready file, and exits 0", async () => {
    const readyFile = dir.file("ready.json");
    const agent = cli.spawn(["run", "--config", writeConfig(), "--ready-file", readyFile]);
    try {
      await waitFor(() => existsSync(readyFile), "the ready file", 20_000);
      const ready = JSON.parse(readFileSync(readyFile, "utf8")) as { httpUrl: string; pid: number };
      expect(ready.pid).toBe(agent.child.pid);
      expect(ready.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const io = captureIo();
      expect(await main(["status", "--url", ready.httpUrl], io)).toBe(0);
      expect(JSON.parse(io.lines.join("\n"))).toMatchObject({ gateway: "gw-1", site: "mall-a", backlog: 0 });
      await waitFor(
        () => broker.received.some((publish) => publish.topic.endsWith("/status")),
        "online status",
      );
    } finally {
      agent.child.kill("SIGTERM");
    }
    expect(await agent.exited()).toBe(0);
    expect(existsSync(readyFile)).toBe(false);
    const statuses = broker.received.filter((publish) => publish.topic === "lotwatch/v1/mall-a/gw-1/status");
    expect(JSON.parse(statuses.at(-1)?.payload ?? "{}")).toMatchObject({ online: false });
  });

  it("run prints a bad config as one line without a stack and exits 2", async () => {
    const file = writeConfig();
    const agent = cli.spawn(["run", "--config", file], { LOTWATCH_HTTP__PORT: "http" });
    expect(await agent.exited()).toBe(2);
    expect(agent.stderr().trim()).toBe(
      "LOTWATCH_HTTP__PORT (environment): http.port: expected an integer from 0 to 65535",
    );
  });
});
