import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { describeMachine } from "../harness/machine.js";
import { atLeast, atMost, toCurve, toMetric } from "../harness/metrics.js";
import { makeTempDir, removeDir } from "../harness/temp-dir.js";
import type { BenchmarkResult } from "../harness/types.js";
import { formatCompact, formatNumber } from "./format.js";
import type { SuiteReport } from "./suite-report.js";
import { writeReports } from "./write-reports.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function report(results: BenchmarkResult[]): SuiteReport {
  return {
    formatVersion: 1,
    command: "lotwatch-bench --quick",
    mode: "quick",
    samples: 3,
    startedAt: "2026-11-22T10:00:00.000Z",
    seconds: 42,
    machine: describeMachine(),
    loadAverageAtEnd: [1, 2, 3],
    results,
  };
}

const ingest: BenchmarkResult = {
  name: "ingest-rate",
  title: "Ingest rate",
  status: "ok",
  method: "Envelopes through the handler.",
  metrics: [
    toMetric({
      id: "ingest.rate",
      label: "ingest rate",
      unit: "events/s",
      samples: [90_000, 120_000, 110_000],
      target: atLeast(100_000),
    }),
    toMetric({ id: "e2e.p99", label: "p99 latency", unit: "ms", samples: [25, 30, 21], target: atMost(20) }),
  ],
  curves: [
    toCurve({
      id: "ingest-vs-batch",
      title: "Ingest rate against batch size",
      xLabel: "events per envelope",
      yLabel: "events/s",
      logX: true,
      series: [
        { name: "ingest", points: [1, 10, 100, 500].map((x) => ({ x, samples: [x * 100, x * 120] })) },
      ],
    }),
  ],
  notes: ["a note"],
  seconds: 12,
};

describe("reports", () => {
  it("writes every sample and its summary to bench.json", () => {
    const dir = makeTempDir("report-test");
    dirs.push(dir);
    const written = writeReports(report([ingest]), dir);
    const json = JSON.parse(readFileSync(written.json, "utf8")) as SuiteReport;
    const metric = json.results[0]?.metrics[0];
    expect(metric?.samples).toEqual([90_000, 120_000, 110_000]);
    expect(metric?.summary).toMatchObject({ median: 110_000, min: 90_000, max: 120_000, n: 3 });
    expect(json.machine.cores).toBeGreaterThan(0);
  });

  it("puts the target and PASS or MISS beside each figure in bench.md", () => {
    const dir = makeTempDir("report-test");
    dirs.push(dir);
    const markdown = readFileSync(writeReports(report([ingest]), dir).markdown, "utf8");
    expect(markdown).toContain(
      "| Ingest rate | ingest rate | 110,000 events/s | ≥ 100,000 events/s **PASS** |",
    );
    expect(markdown).toContain("| p99 latency | 25.0 ms | 23.0–27.5 | 21.0–30.0 | 3 | ≤ 20.0 ms **MISS** |");
    expect(markdown).toContain("![scaling curves](bench.svg)");
    expect(markdown).toContain("| 500 | 55,000 (50,000–60,000) |");
    expect(markdown).toContain("start");
  });

  it("draws each curve as a panel of one SVG, and none without curves", () => {
    const dir = makeTempDir("report-test");
    dirs.push(dir);
    const svg = readFileSync(writeReports(report([ingest]), dir).chart ?? "", "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("Ingest rate against batch size");
    expect(svg.match(/<circle/g)).toHaveLength(4);

    const linear = makeTempDir("report-test");
    dirs.push(linear);
    const memory = toCurve({
      id: "memory",
      title: "Memory",
      xLabel: "readings",
      yLabel: "MB",
      logX: false,
      series: [{ name: "RSS", points: [0, 500, 1000].map((x) => ({ x, samples: [90 + x / 100] })) }],
    });
    const withZero = writeReports(report([{ ...ingest, curves: [memory] }]), linear);
    expect(readFileSync(withZero.chart ?? "", "utf8").match(/<circle/g)).toHaveLength(3);

    const bare = makeTempDir("report-test");
    dirs.push(bare);
    const written = writeReports(report([{ ...ingest, curves: [] }]), bare);
    expect(written.chart).toBeNull();
    expect(existsSync(join(bare, "bench.svg"))).toBe(false);
  });

  it("says a benchmark failed, with its error, instead of leaving it out", () => {
    const dir = makeTempDir("report-test");
    dirs.push(dir);
    const failed: BenchmarkResult = {
      ...ingest,
      status: "failed",
      metrics: [],
      curves: [],
      error: "broker gone",
    };
    const markdown = readFileSync(writeReports(report([failed]), dir).markdown, "utf8");
    expect(markdown).toContain("**FAILED:** broker gone");
  });

  it("formats figures for tables and axes", () => {
    expect(formatNumber(123_456.7)).toBe("123,457");
    expect(formatNumber(0.0312)).toBe("0.0312");
    expect(formatNumber(0.49538)).toBe("0.495");
    expect(formatNumber(Number.NaN)).toBe("n/a");
    expect(formatCompact(10_000_000)).toBe("10M");
    expect(formatCompact(250_000)).toBe("250k");
  });
});
