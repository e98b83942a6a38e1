import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Service, startService, waitForReadyFile } from "../processes.js";
import { eventually, getJson } from "../test-support/http.js";
import { elfMachine } from "./test-support/elf.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const BUILD = join(ROOT, "hardware/build/build-deb.mjs");
const run = promisify(execFile);
// The first arm64 build compiles SQLite with the cross compiler (minutes); later ones use the cache in hardware/.build/.
const CROSS_BUILD_MS = 20 * 60_000;

async function buildDeb(arch: "amd64" | "arm64", out: string): Promise<string> {
  const { stdout } = await run(process.execPath, [BUILD, "--arch", arch, "--out", out], {
    maxBuffer: 16 << 20,
  });
  return stdout.trim();
}

function nodeFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".node"))
    .map((path) => join(dir, path));
}

describe("the gateway's Debian package", () => {
  const dir = mkdtempSync(join(tmpdir(), "lotwatch-deb-"));
  const services: Service[] = [];
  let agent: ChildProcess | undefined;
  let deb: string;

  beforeAll(async () => {
    deb = await buildDeb("amd64", dir);
  }, 180_000);

  afterAll(async () => {
    if (agent !== undefined && agent.exitCode === null) {
      agent.kill("SIGTERM");
      await new Promise((done) => agent?.once("exit", done));
    }
    for (const service of services.reverse()) await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is an amd64 package with the bundle, its native modules, the unit, the udev rules and maintainer scripts", async () => {
    const { stdout: info } = await run("dpkg-deb", ["--info", deb]);
    expect(info).toMatch(/^ Package: lotwatch-agent$/m);
    expect(info).toMatch(/^ Architecture: amd64$/m);
    expect(info).toMatch(/^ Depends: nodejs \(>= 20\.19\), nodejs \(<< 21\), adduser$/m);
    for (const script of ["postinst", "prerm", "postrm"])
      expect(info).toMatch(new RegExp(`\\*\\s+${script}\\s`));

    const { stdout: contents } = await run("dpkg-deb", ["--contents", deb]);
    const entries = new Map(
      contents
        .trim()
        .split("\n")
        .map((line) => line.split(/\s+/))
        .map((f) => [
          (f[5] as string).replace(/^\.\//, "/"),
          { mode: f[0] as string, owner: f[1] as string },
        ]),
    );
    expect(entries.get("/usr/bin/lotwatch-agent")).toEqual({ mode: "-rwxr-xr-x", owner: "root/root" });
    for (const path of [
      "/usr/lib/lotwatch-agent/dist/bin/lotwatch-agent.mjs",
      "/usr/lib/lotwatch-agent/package.json",
      "/usr/lib/lotwatch-agent/node_modules/better-sqlite3/build/Release/better_sqlite3.node",
      "/lib/systemd/system/lotwatch-agent.service",
      "/lib/udev/rules.d/60-lotwatch-serial.rules",
      "/usr/share/doc/lotwatch-agent/README.md",
      "/usr/share/doc/lotwatch-agent/agent.example.yaml",
    ]) {
      expect(entries.has(path), path).toBe(true);
    }
    // Only the target's serial prebuilds; no compiler inputs of the native modules.
    const prebuilds = [...entries.keys()].filter((p) => p.includes("/prebuilds/") && p.endsWith(".node"));
    expect(prebuilds.length).toBeGreaterThan(0);
    for (const path of prebuilds) expect(path).toContain("/prebuilds/linux-x64/");
    expect([...entries.keys()].filter((p) => /better-sqlite3\/(deps|src)\//.test(p))).toEqual([]);
  });

  it("runs the agent from the unpacked tree against a test broker, and its readings arrive", async () => {
    const tree = join(dir, "unpacked");
    await run("dpkg-deb", ["-x", deb, tree]);

    const ingest = startService({
      name: "ingest",
      args: [
        join(ROOT, "cloud-ingest/dist/cli.js"),
        "--topology",
        join(ROOT, "deploy/config/topology.yaml"),
        "--db",
        join(dir, "ingest.db"),
        "--http-port",
        "0",
        "--mqtt-port",
        "0",
        "--ready-file",
        join(dir, "ingest-ready.json"),
      ],
      env: { LOTWATCH_LOG_LEVEL: "warn" },
      logFile: join(dir, "ingest.log"),
    });
    services.push(ingest);
    const urls = await waitForReadyFile<{ httpUrl: string; mqttUrl: string }>(
      ingest,
      join(dir, "ingest-ready.json"),
    );

    const sim = startService({
      name: "sim",
      args: [
        join(ROOT, "simulators/dist/cli.js"),
        "scenario",
        "burst",
        "--vehicles",
        "300",
        "--people",
        "50",
        "--hours",
        "3",
        "--seed",
        "11",
        "--start-at",
        "2026-11-20T06:00:00Z",
        "--output",
        "tcp-serial",
        "--listen",
        "127.0.0.1:0",
        "--ready-file",
        join(dir, "sim-ready.json"),
        "--truth",
        join(dir, "truth.json"),
      ],
      env: { LOTWATCH_LOG_LEVEL: "warn" },
      logFile: join(dir, "sim.log"),
    });
    services.push(sim);
    const { port } = await waitForReadyFile<{ port: number }>(sim, join(dir, "sim-ready.json"));

    writeFileSync(
      join(dir, "agent.yaml"),
      [
        "gateway: { id: gw-deb, site: mall-a }",
        `broker: { url: "${urls.mqttUrl}" }`,
        `buffer: { path: ${join(dir, "agent/buffer.db")} }`,
        "http: { host: 127.0.0.1, port: 0 }",
        `inputs: [ { type: tcp-serial, host: 127.0.0.1, port: ${port}, format: jsonl } ]`,
        "",
      ].join("\n"),
    );
    // The package's own launcher, in a clean environment: nothing may come from the repository's node_modules.
    const log = createWriteStream(join(dir, "agent.log"));
    agent = spawn(
      join(tree, "usr/bin/lotwatch-agent"),
      ["run", "--config", join(dir, "agent.yaml"), "--ready-file", join(dir, "agent-ready.json")],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LOTWATCH_LOG_LEVEL: "warn" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    agent.stdout?.pipe(log);
    agent.stderr?.pipe(log);
    await eventually(async () => expect(existsSync(join(dir, "agent-ready.json"))).toBe(true), 30_000);
    const agentUrl = (JSON.parse(readFileSync(join(dir, "agent-ready.json"), "utf8")) as { httpUrl: string })
      .httpUrl;

    expect(await sim.exited).toBe(0);
    const truth = JSON.parse(readFileSync(join(dir, "truth.json"), "utf8")) as { sent: { readings: number } };
    await eventually(async () => {
      const gateways = await getJson<{ gateways: { id: string; events: number }[] }>(
        `${urls.httpUrl}/v1/gateways`,
      );
      expect(gateways.gateways.find((g) => g.id === "gw-deb")?.events).toBe(truth.sent.readings);
    }, 60_000);
    const compare = await run(process.execPath, [
      join(ROOT, "simulators/dist/cli.js"),
      "compare",
      "--truth",
      join(dir, "truth.json"),
      "--ingest",
      urls.httpUrl,
    ]);
    expect(compare.stdout).toMatch(/^(\d+)\/\1 agree$/m);

    // The SQLite binding the agent loaded is the package's, not the repository's.
    const maps = readFileSync(`/proc/${agent.pid}/maps`, "utf8");
    expect(maps).toContain(
      join(tree, "usr/lib/lotwatch-agent/node_modules/better-sqlite3/build/Release/better_sqlite3.node"),
    );
    expect(maps).not.toContain(join(ROOT, "node_modules"));
    const status = await getJson<{ backlog: number; version?: string }>(`${agentUrl}/v1/status`);
    expect(status.backlog).toBe(0);
  }, 120_000);

  it("has a hardened systemd unit that systemd-analyze accepts", async () => {
    const unit = readFileSync(join(ROOT, "hardware/systemd/lotwatch-agent.service"), "utf8");
    const directives = new Map<string, string[]>();
    for (const line of unit.split("\n")) {
      const match = /^(\w+)=(.*)$/.exec(line);
      if (match)
        directives.set(match[1] as string, [
          ...(directives.get(match[1] as string) ?? []),
          match[2] as string,
        ]);
    }
    const one = (key: string) => directives.get(key)?.at(-1);
    expect(one("User")).toBe("lotwatch");
    expect(one("Restart")).toBe("always");
    expect(one("ProtectSystem")).toBe("strict");
    expect(one("ReadWritePaths")).toBe("/var/lib/lotwatch");
    expect(one("NoNewPrivileges")).toBe("yes");
    expect(one("CapabilityBoundingSet")).toBe("");
    expect(one("ExecStart")).toBe("/usr/bin/lotwatch-agent run --config /etc/lotwatch/agent.yaml");
    // The buffer of the example config is inside the only writable path.
    expect(readFileSync(join(ROOT, "hardware/debian/agent.example.yaml"), "utf8")).toContain(
      "path: /var/lib/lotwatch/buffer.db",
    );
    const postinst = readFileSync(join(ROOT, "hardware/debian/postinst"), "utf8");
    expect(postinst).toContain("adduser lotwatch dialout");
    expect(postinst).toContain("adduser lotwatch gpio");

    // systemd's own checker, with the unit's ExecStart pointing at the unpacked launcher.
    const tree = join(dir, "unpacked");
    const copy = join(dir, "lotwatch-agent.service");
    writeFileSync(
      copy,
      unit.replace("ExecStart=/usr/bin/lotwatch-agent", `ExecStart=${join(tree, "usr/bin/lotwatch-agent")}`),
    );
    const verified = await run("systemd-analyze", ["verify", "--man=no", copy]).catch(
      (e: { stderr: string }) => e,
    );
    // It reports every directive it cannot parse (`Failed to parse protect system value, ignoring: …`) on stderr.
    const complaints = (verified.stderr ?? "").split("\n").filter((line) => line.trim() !== "");
    expect(complaints).toEqual([]);
  });

  it(
    "builds the arm64 package with aarch64 native modules",
    async () => {
      const arm = await buildDeb("arm64", dir);
      const { stdout: info } = await run("dpkg-deb", ["--info", arm]);
      expect(info).toMatch(/^ Architecture: arm64$/m);
      const tree = join(dir, "unpacked-arm64");
      await run("dpkg-deb", ["-x", arm, tree]);
      const binaries = nodeFiles(join(tree, "usr/lib/lotwatch-agent/node_modules"));
      expect(binaries.some((path) => path.endsWith("better_sqlite3.node"))).toBe(true);
      expect(binaries.some((path) => path.includes("bindings-cpp"))).toBe(true);
      for (const binary of binaries)
        expect({ binary, machine: elfMachine(binary) }).toEqual({ binary, machine: "aarch64" });
      // The same bundle: only the native parts differ between the two packages.
      const bundle = "usr/lib/lotwatch-agent/dist/bin/lotwatch-agent.mjs";
      expect(statSync(join(tree, bundle)).size).toBe(statSync(join(dir, "unpacked", bundle)).size);
      await sleep(0);
    },
    CROSS_BUILD_MS,
  );
});
