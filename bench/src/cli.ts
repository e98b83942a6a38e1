#!/usr/bin/env node
import { Command, InvalidArgumentError } from "commander";
import { BENCHMARKS } from "./benchmarks/index.js";
import { runSuite } from "./run-suite.js";

const program = new Command()
  .name("lotwatch-bench")
  .description(
    "Runs lotwatch's benchmarks against baselines measured in the same run; writes JSON, Markdown and SVG.",
  )
  .option("--quick", "fewer and smaller samples (the CI smoke run)", false)
  .option("--only <names>", "comma-separated benchmark names (see --list)", splitNames)
  .option("--out <dir>", "where bench.json, bench.md and bench.svg go", "reports/bench")
  .option("--samples <n>", "samples per figure (default 3, quick 2)", positiveInt)
  .option("--list", "print the benchmarks and exit", false)
  .showHelpAfterError()
  // Usage errors exit 2, like an unknown --only name; --help exits 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

program.parse();
const options = program.opts<{
  quick: boolean;
  only?: string[];
  out: string;
  samples?: number;
  list: boolean;
}>();

if (options.list) {
  for (const benchmark of BENCHMARKS)
    process.stdout.write(`${benchmark.name.padEnd(20)} ${benchmark.title}\n`);
  process.exit(0);
}

try {
  const { report, written } = await runSuite(
    {
      mode: options.quick ? "quick" : "full",
      only: options.only,
      outDir: options.out,
      samples: options.samples,
      command: ["lotwatch-bench", ...process.argv.slice(2)].join(" "),
    },
    BENCHMARKS,
  );
  const failed = report.results.filter((result) => result.status === "failed");
  const misses = report.results
    .flatMap((result) => result.metrics)
    .filter((metric) => metric.verdict === "MISS");
  process.stdout.write(
    `wrote ${written.markdown}, ${written.json}${written.chart === null ? "" : `, ${written.chart}`}\n` +
      `${report.results.length - failed.length}/${report.results.length} benchmarks ran, ` +
      `${misses.length} figure(s) missed their target, in ${Math.round(report.seconds)} s\n`,
  );
  for (const result of failed) process.stderr.write(`${result.name} failed: ${result.error}\n`);
  // A missed target is a finding, not a failure; a benchmark that could not run is.
  process.exitCode = failed.length > 0 ? 1 : 0;
} catch (error) {
  process.stderr.write(`lotwatch-bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}

function splitNames(value: string): string[] {
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (names.length === 0) throw new InvalidArgumentError("expected one or more benchmark names");
  return names;
}

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError("expected a positive integer");
  return parsed;
}
