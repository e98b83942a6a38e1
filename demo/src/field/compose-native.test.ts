import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { type Service, startService, waitForReadyFile } from "../processes.js";
import { eventually, getJson } from "../test-support/http.js";
import { loadCompose } from "./test-support/compose-file.js";
import { nativeCommand } from "./test-support/native-service.js";

const ROOT = resolve(import.meta.dirname, "../../..");
/** Quick (CI): the scenario as fast as the agents take it. Long: compose's own pace (a day in a minute). */
const LONG = process.env.LOTWATCH_FIELD === "long";
const run = promisify(execFile);

describe("the docker-compose topology, run natively", () => {
  const dir = mkdtempSync(join(tmpdir(), "lotwatch-compose-"));
  const compose = loadCompose(join(ROOT, "docker-compose.yml"));
  const started: Service[] = [];

  afterAll(async () => {
    for (const service of started.reverse()) await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(name: string, overrides: Record<string, string>, extraArgs: string[] = []) {
    const command = nativeCommand(ROOT, compose.services[name] ?? {}, join(dir, "volumes"));
    const service = startService({
      name,
      args: [...command.args, ...extraArgs],
      env: { ...command.env, LOTWATCH_LOG_LEVEL: "warn", ...overrides },
      logFile: join(dir, `${name}.log`),
    });
    started.push(service);
    return { service, command };
  }

  it("counts a simulated mall day through two gateways over serial-over-TCP exactly as the ground truth says", async () => {
    // Only what a container network gives for free is replaced: addresses, ports and ready files.
    const ingest = start("ingest", {
      LOTWATCH_HOST: "127.0.0.1",
      LOTWATCH_HTTP_PORT: "0",
      LOTWATCH_MQTT_PORT: "0",
      LOTWATCH_READY_FILE: join(dir, "ingest-ready.json"),
    });
    const urls = await waitForReadyFile<{ httpUrl: string; mqttUrl: string }>(
      ingest.service,
      join(dir, "ingest-ready.json"),
    );

    const sims = ["sim-entry", "sim-exit"].map((name) =>
      start(name, {
        LOTWATCH_SIM_LISTEN: "127.0.0.1:0",
        LOTWATCH_SIM_READY_FILE: join(dir, `${name}-ready.json`),
        ...(LONG ? {} : { LOTWATCH_SIM_SPEED: "0" }),
      }),
    );
    const simPorts = await Promise.all(
      sims.map(
        async ({ service }) =>
          (await waitForReadyFile<{ port: number }>(service, join(dir, `${service.name}-ready.json`))).port,
      ),
    );

    const agents = (["agent-entry", "agent-exit"] as const).map((name, index) => {
      const bufferPath = nativeCommand(ROOT, compose.services[name] ?? {}, join(dir, "volumes")).hostPath(
        "/var/lib/lotwatch/buffer.db",
      );
      return start(
        name,
        {
          LOTWATCH_BROKER__URL: urls.mqttUrl,
          LOTWATCH_INPUTS__0__HOST: "127.0.0.1",
          LOTWATCH_INPUTS__0__PORT: String(simPorts[index]),
          LOTWATCH_HTTP__HOST: "127.0.0.1",
          LOTWATCH_HTTP__PORT: "0",
          LOTWATCH_BUFFER__PATH: bufferPath,
        },
        ["--ready-file", join(dir, `${name}-ready.json`)],
      );
    });
    const agentUrls = await Promise.all(
      agents.map(
        async ({ service }) =>
          (await waitForReadyFile<{ httpUrl: string }>(service, join(dir, `${service.name}-ready.json`)))
            .httpUrl,
      ),
    );

    // Each simulator exits 0 once it has sent its share and its agent has taken the connection's end.
    const simExits = await Promise.all(sims.map(({ service }) => service.exited));
    expect(simExits).toEqual([0, 0]);
    const summaries = sims.map(({ service }) =>
      readFileSync(service.logFile, "utf8")
        .split("\n")
        .find((l) => l.startsWith('{"scenario"')),
    );
    const sent = summaries.map(
      (line) => JSON.parse(line as string) as { sent: number; bySource: Record<string, number> },
    );
    expect(Object.keys(sent[0]?.bySource ?? {}).sort()).toEqual(["door-1", "entry-1"]);
    expect(Object.keys(sent[1]?.bySource ?? {})).toEqual(["exit-1"]);

    await eventually(async () => {
      for (const url of agentUrls)
        expect((await getJson<{ backlog: number }>(`${url}/v1/status`)).backlog).toBe(0);
    }, 60_000);

    const truthPath = sims[0]?.command.hostPath("/var/lib/lotwatch-sim/truth.json") as string;
    const truth = JSON.parse(readFileSync(truthPath, "utf8")) as { sent: { readings: number } };
    expect((sent[0]?.sent ?? 0) + (sent[1]?.sent ?? 0)).toBe(truth.sent.readings);

    // The user's command: every count at every hour and the session totals agree.
    const compare = await run(
      process.execPath,
      [
        join(ROOT, "simulators/dist/cli.js"),
        "compare",
        "--truth",
        truthPath,
        "--ingest",
        urls.httpUrl,
        "--wait-s",
        "30",
      ],
      { encoding: "utf8" },
    ).catch((error: { stdout: string; code: number }) => ({ stdout: error.stdout, code: error.code }));
    expect(compare.stdout).toMatch(/^(\d+)\/\1 agree$/m);
    expect("code" in compare ? compare.code : 0).toBe(0);

    // Both gateways authenticated with the demo secrets of docker-compose.yml.
    const gateways = await getJson<{ gateways: { id: string; online: boolean; events: number }[] }>(
      `${urls.httpUrl}/v1/gateways`,
    );
    expect(gateways.gateways.map((g) => [g.id, g.online, g.events])).toEqual([
      ["gw-entry", true, sent[0]?.sent],
      ["gw-exit", true, sent[1]?.sent],
    ]);

    // Every metric the provisioned Grafana dashboard plots is one the services export.
    const dashboard = JSON.parse(
      readFileSync(join(ROOT, "deploy/grafana/dashboards/lotwatch.json"), "utf8"),
    ) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exported = (
      await Promise.all(
        [urls.httpUrl, ...agentUrls].map(async (url) => (await fetch(`${url}/metrics`)).text()),
      )
    ).join("\n");
    for (const metric of dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) => t.expr.match(/lotwatch_\w+/g) ?? []),
    )) {
      expect(exported, metric).toMatch(new RegExp(`^${metric}(\\{| )`, "m"));
    }
    process.stdout.write(
      `[field:${LONG ? "long" : "quick"}] compose topology natively: ${truth.sent.readings} readings, ${compare.stdout.trim().split("\n").at(-1)}\n`,
    );
  }, 180_000);
});
