import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderMarkdown } from "./markdown-report.js";
import type { SuiteReport } from "./suite-report.js";
import { renderCurvesSvg } from "./svg-chart.js";

export interface WrittenReports {
  json: string;
  markdown: string;
  chart: string | null;
}

const CHART_FILE = "bench.svg";

/** Writes bench.json, bench.md and (when there are curves) bench.svg into `dir`, each atomically. */
export function writeReports(report: SuiteReport, dir: string): WrittenReports {
  mkdirSync(dir, { recursive: true });
  const curves = report.results.flatMap((result) => result.curves);
  const chart = curves.length > 0 ? join(dir, CHART_FILE) : null;
  if (chart !== null) writeAtomically(chart, renderCurvesSvg(curves));
  const json = join(dir, "bench.json");
  writeAtomically(json, `${JSON.stringify(report, null, 2)}\n`);
  const markdown = join(dir, "bench.md");
  writeAtomically(markdown, renderMarkdown(report, chart === null ? null : CHART_FILE));
  return { json, markdown, chart };
}

function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
