import { loadavg } from "node:os";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { describeMachine } from "./harness/machine.js";
import { toCurve, toMetric } from "./harness/metrics.js";
import { createProgress } from "./harness/progress.js";
import { makeTempDir, removeDir } from "./harness/temp-dir.js";
import type { BenchContext, Benchmark, BenchmarkResult, Metric, Mode } from "./harness/types.js";
import type { SuiteReport } from "./report/suite-report.js";
import { type WrittenReports, writeReports } from "./report/write-reports.js";

export interface SuiteOptions {
  mode: Mode;
  /** Names of the benchmarks to run; all when undefined. */
  only?: string[] | undefined;
  outDir: string;
  /** Samples per figure; default 3 (quick: 2). */
  samples?: number | undefined;
  /** The command line, for the report. */
  command: string;
}

export interface SuiteOutcome {
  report: SuiteReport;
  written: WrittenReports;
}

/** Runs the chosen benchmarks in order, one temp folder each, and writes the reports after each. */
export async function runSuite(
  options: SuiteOptions,
  benchmarks: readonly Benchmark[],
): Promise<SuiteOutcome> {
  const selected = select(benchmarks, options.only);
  const samples = options.samples ?? (options.mode === "quick" ? 2 : 3);
  const started = Date.now();
  const progress = createProgress(
    selected.reduce((sum, benchmark) => sum + benchmark.steps(options.mode, samples), 0),
  );
  const report: SuiteReport = {
    formatVersion: 1,
    command: options.command,
    mode: options.mode,
    samples,
    startedAt: new Date(started).toISOString(),
    seconds: 0,
    machine: describeMachine(),
    loadAverageAtEnd: [],
    results: [],
  };
  const runDir = makeTempDir("run");
  const shared = new Map<string, unknown>();
  let written: WrittenReports | undefined;
  try {
    for (const benchmark of selected) {
      progress.begin(benchmark.name);
      const result = await runOne(benchmark, {
        mode: options.mode,
        samples,
        runDir,
        shared,
        progress,
        earlier: (id) => findMetric(report.results, id),
      });
      report.results.push(result);
      if (result.status === "failed") progress.log(`${benchmark.name} failed: ${result.error}`);
      report.seconds = (Date.now() - started) / 1000;
      report.loadAverageAtEnd = roundedLoad();
      written = writeReports(report, options.outDir);
    }
  } finally {
    progress.stop();
    removeDir(runDir);
  }
  return { report, written: written ?? writeReports(report, options.outDir) };
}

async function runOne(
  benchmark: Benchmark,
  context: Omit<BenchContext, "workDir">,
): Promise<BenchmarkResult> {
  const workDir = makeTempDir(benchmark.name);
  const started = Date.now();
  const base = { name: benchmark.name, title: benchmark.title };
  try {
    const output = await benchmark.run({ ...context, workDir });
    return {
      ...base,
      status: "ok",
      method: output.method,
      metrics: output.metrics.map(toMetric),
      curves: (output.curves ?? []).map(toCurve),
      notes: output.notes ?? [],
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    return {
      ...base,
      status: "failed",
      method: "",
      metrics: [],
      curves: [],
      notes: [],
      error: error instanceof Error ? error.message : String(error),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    removeDir(workDir);
  }
}

function select(benchmarks: readonly Benchmark[], only: string[] | undefined): Benchmark[] {
  if (only === undefined) return [...benchmarks];
  const names = new Set(benchmarks.map((benchmark) => benchmark.name));
  const unknown = only.filter((name) => !names.has(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      "unknown_benchmark",
      `--only: no benchmark named ${unknown.join(", ")}; choose from ${[...names].join(", ")}`,
    );
  }
  // The suite's order, not the option's: later benchmarks use earlier ones' baselines.
  return benchmarks.filter((benchmark) => only.includes(benchmark.name));
}

function findMetric(results: readonly BenchmarkResult[], id: string): Metric | undefined {
  for (const result of results) {
    const metric = result.metrics.find((candidate) => candidate.id === id);
    if (metric !== undefined) return metric;
  }
  return undefined;
}

function roundedLoad(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}
