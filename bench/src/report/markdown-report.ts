import type { BenchmarkResult, Curve, Metric } from "../harness/types.js";
import { formatNumber, formatTarget } from "./format.js";
import type { SuiteReport } from "./suite-report.js";

/** bench.md: the machine, every figure with a target at the top, then one section per benchmark. */
export function renderMarkdown(report: SuiteReport, chartFile: string | null): string {
  const lines: string[] = [
    "# lotwatch benchmarks",
    "",
    `\`${report.command}\` — ${report.mode} mode, ${report.samples} samples per figure, ` +
      `${Math.round(report.seconds)} s, started ${report.startedAt}.`,
    "",
    ...machineLines(report),
    "",
    "Each figure is the median of its samples; the spread is the interquartile range (q1–q3) and",
    "min–max. PASS/MISS compares the median with the target. Baselines run in the same process",
    "and the same run, so ratios hold better than absolute figures on a busy machine.",
    "",
    "## Targets",
    "",
    ...targetTable(report.results),
    "",
  ];
  if (chartFile !== null) lines.push("## Scaling curves", "", `![scaling curves](${chartFile})`, "");
  for (const result of report.results) lines.push(...benchmarkSection(result), "");
  return `${lines.join("\n").trimEnd()}\n`;
}

function machineLines(report: SuiteReport): string[] {
  const { machine } = report;
  const commit =
    machine.gitCommit === null
      ? "unknown"
      : `${machine.gitCommit.slice(0, 12)}${machine.gitDirty ? " (with uncommitted changes)" : ""}`;
  return [
    "| machine | |",
    "| --- | --- |",
    `| CPU | ${machine.cpuModel}, ${machine.cores} cores |`,
    `| memory | ${formatNumber(machine.memoryBytes / 2 ** 30)} GiB (${formatNumber(machine.freeMemoryBytes / 2 ** 30)} GiB free at start) |`,
    `| load average (1/5/15 min) | start ${machine.loadAverage.join(" / ")}, end ${report.loadAverageAtEnd.join(" / ")} |`,
    `| Node | ${machine.node} on ${machine.platform} |`,
    `| commit | ${commit} |`,
  ];
}

function targetTable(results: readonly BenchmarkResult[]): string[] {
  const rows = results.flatMap((result) =>
    result.metrics
      .filter((metric) => metric.target !== undefined)
      .map((metric) => `| ${result.title} | ${metric.label} | ${figure(metric)} | ${target(metric)} |`),
  );
  if (rows.length === 0) return ["No figure with a target was measured."];
  return ["| benchmark | figure | median | target |", "| --- | --- | ---: | --- |", ...rows];
}

function benchmarkSection(result: BenchmarkResult): string[] {
  const lines = [
    `## ${result.title}`,
    "",
    `\`${result.name}\`, ${Math.round(result.seconds)} s. ${result.method}`,
    "",
  ];
  if (result.status === "failed") lines.push(`**FAILED:** ${result.error ?? "unknown error"}`, "");
  if (result.metrics.length > 0) {
    lines.push(
      "| figure | median | IQR (q1–q3) | min–max | n | target |",
      "| --- | ---: | ---: | ---: | ---: | --- |",
      ...result.metrics.map(metricRow),
      "",
    );
  }
  for (const curve of result.curves) lines.push(...curveTable(curve), "");
  for (const note of result.notes) lines.push(`- ${note}`);
  return lines;
}

function metricRow(metric: Metric): string {
  const { summary } = metric;
  const label = metric.note === undefined ? metric.label : `${metric.label} (${metric.note})`;
  return (
    `| ${label} | ${figure(metric)} | ${formatNumber(summary.q1)}–${formatNumber(summary.q3)} | ` +
    `${formatNumber(summary.min)}–${formatNumber(summary.max)} | ${summary.n} | ${target(metric)} |`
  );
}

function figure(metric: Metric): string {
  return `${formatNumber(metric.summary.median)} ${metric.unit}`;
}

function target(metric: Metric): string {
  if (metric.target === undefined) return "";
  return `${formatTarget(metric.target, metric.unit)} **${metric.verdict ?? "n/a"}**`;
}

function curveTable(curve: Curve): string[] {
  const header = [curve.xLabel, ...curve.series.map((series) => `${series.name}: ${curve.yLabel}`)];
  const xs = [...new Set(curve.series.flatMap((series) => series.points.map((point) => point.x)))].sort(
    (a, b) => a - b,
  );
  const rows = xs.map((x) => {
    const cells = curve.series.map((series) => {
      const point = series.points.find((candidate) => candidate.x === x);
      if (point === undefined) return "";
      const { median, min, max } = point.summary;
      return point.summary.n > 1
        ? `${formatNumber(median)} (${formatNumber(min)}–${formatNumber(max)})`
        : formatNumber(median);
    });
    return `| ${x.toLocaleString("en-US")} | ${cells.join(" | ")} |`;
  });
  return [
    `**${curve.title}**`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---:").join(" | ")} |`,
    ...rows,
  ];
}
