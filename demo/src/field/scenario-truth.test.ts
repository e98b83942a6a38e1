import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { matchSessions } from "@lotwatch/cloud-ingest/sessions/match-sessions.js";
import type { VehicleRead } from "@lotwatch/cloud-ingest/sessions/session.js";
import { buildScenario, SCENARIO_NAMES } from "@lotwatch/simulators/scenario/scenarios.js";
import { afterAll, describe, expect, it } from "vitest";
import { type Service, startService, waitForReadyFile } from "../processes.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const run = promisify(execFile);

describe("scenario ground truth", () => {
  it.each(SCENARIO_NAMES.flatMap((name) => [1, 2, 3].map((seed) => [name, seed] as const)))(
    "%s (seed %i): the truth's sessions are what the ingest's own matcher makes of the readings",
    (scenario, seed) => {
      const { readings, truth } = buildScenario({
        scenario,
        seed,
        startAt: Date.parse("2026-11-21T00:00:00Z"),
      });
      const reads: VehicleRead[] = [];
      readings.forEach((reading, seq) => {
        if (reading.type === "door.crossing") return;
        reads.push({
          gateway: reading.type === "vehicle.entry" ? "gw-entry" : "gw-exit",
          seq,
          lane: reading.lane,
          kind: reading.type === "vehicle.entry" ? "entry" : "exit",
          plate: reading.plate,
          at: Date.parse(reading.occurredAt),
        });
      });
      const { sessions } = matchSessions(reads);
      const of = (predicate: (s: (typeof sessions)[number]) => boolean) => sessions.filter(predicate).length;
      expect({
        open: of((s) => s.status === "open"),
        closed: of((s) => s.status === "closed"),
        exact: of((s) => s.matchedBy === "exact"),
        fuzzy: of((s) => s.matchedBy === "fuzzy"),
        unmatched: of((s) => s.status === "unmatched"),
      }).toEqual(truth.sessions);
    },
  );

  describe("straight over MQTT into a real ingest", () => {
    const dir = mkdtempSync(join(tmpdir(), "lotwatch-sim-mqtt-"));
    let ingest: Service | undefined;
    afterAll(async () => {
      await ingest?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("an offline gateway's late backlog rewrites the past, and compare agrees; a wrong truth is caught", async () => {
      ingest = startService({
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
          join(dir, "ready.json"),
        ],
        env: { LOTWATCH_LOG_LEVEL: "warn" },
        logFile: join(dir, "ingest.log"),
      });
      const urls = await waitForReadyFile<{ httpUrl: string; mqttUrl: string }>(
        ingest,
        join(dir, "ready.json"),
      );
      const sim = join(ROOT, "simulators/dist/cli.js");
      const truth = join(dir, "truth.json");
      const { stdout } = await run(process.execPath, [
        sim,
        "scenario",
        "offline-gateway",
        "--seed",
        "5",
        "--start-at",
        "2026-11-21T00:00:00Z",
        "--output",
        "mqtt",
        "--broker",
        urls.mqttUrl,
        "--gateway",
        "gw-sim",
        "--truth",
        truth,
      ]);
      expect(JSON.parse(stdout)).toMatchObject({ scenario: "offline-gateway", stopped: false });

      const compare = await run(process.execPath, [
        sim,
        "compare",
        "--truth",
        truth,
        "--ingest",
        urls.httpUrl,
        "--json",
      ]);
      const result = JSON.parse(compare.stdout) as { agrees: boolean; agreed: number; total: number };
      expect(result).toMatchObject({ agrees: true });
      expect(result.total).toBe(55);

      // The same check against another seed's truth disagrees, and says so with exit code 1.
      const other = join(dir, "other.json");
      await run(process.execPath, [
        sim,
        "scenario",
        "mall-day",
        "--seed",
        "6",
        "--start-at",
        "2026-11-21T00:00:00Z",
        "--output",
        "http",
        "--agent-url",
        "http://127.0.0.1:9",
        "--truth",
        other,
        "--vehicles",
        "0",
        "--people",
        "0",
      ]);
      const wrong = await run(process.execPath, [
        sim,
        "compare",
        "--truth",
        truth.replace("truth", "other"),
        "--ingest",
        urls.httpUrl,
      ]).catch((error: { code: number; stdout: string }) => error);
      expect(wrong).toMatchObject({ code: 1 });
      expect((wrong as { stdout: string }).stdout).toMatch(/^DIFF count lot at /m);
      expect((wrong as { stdout: string }).stdout).toMatch(/^\d+\/55 agree \(\d+ differ\)$/m);
    }, 120_000);
  });
});
