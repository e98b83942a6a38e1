import type { Summary } from "./stats.js";

export type Mode = "quick" | "full";

/** A figure's goal: the median must be at least (>=) or at most (<=) `value`. */
export interface Target {
  op: ">=" | "<=";
  value: number;
}

export type Verdict = "PASS" | "MISS";

export interface MetricInput {
  /** Stable id, e.g. `ingest.rate`; other benchmarks refer to it for ratios. */
  id: string;
  label: string;
  unit: string;
  samples: number[];
  target?: Target | undefined;
  note?: string | undefined;
}

export interface Metric extends MetricInput {
  summary: Summary;
  verdict: Verdict | null;
}

export interface CurvePoint {
  x: number;
  samples: number[];
  summary: Summary;
}

export interface CurveSeries {
  name: string;
  points: CurvePoint[];
}

/** A scaling curve: how a cost grows with the work (x). */
export interface Curve {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  logX: boolean;
  series: CurveSeries[];
}

export type CurveInput = Omit<Curve, "series"> & {
  series: Array<{ name: string; points: Array<{ x: number; samples: number[] }> }>;
};

export interface BenchmarkOutput {
  /** How it was measured, in a sentence or two of Markdown. */
  method: string;
  metrics: MetricInput[];
  curves?: CurveInput[];
  notes?: string[];
}

export interface BenchmarkResult {
  name: string;
  title: string;
  status: "ok" | "failed";
  method: string;
  metrics: Metric[];
  curves: Curve[];
  notes: string[];
  error?: string;
  seconds: number;
}

/** Steps of one benchmark on the progress bar. */
export interface ProgressStep {
  step(label: string): void;
}

export interface BenchContext {
  mode: Mode;
  /** Samples per figure (a few; fewer when quick). */
  samples: number;
  /** A fresh temp folder for this benchmark, removed afterwards. */
  workDir: string;
  /** A temp folder for the whole run (for what benchmarks share), removed at the end. */
  runDir: string;
  progress: ProgressStep;
  /** A metric of an earlier benchmark in this run (for ratios), or undefined if it did not run. */
  earlier(metricId: string): Metric | undefined;
  /** Values shared between benchmarks of one run (e.g. a database built once). */
  shared: Map<string, unknown>;
}

export interface Benchmark {
  name: string;
  title: string;
  /** How many progress steps `run` reports in this mode. */
  steps(mode: Mode, samples: number): number;
  run(context: BenchContext): Promise<BenchmarkOutput>;
}
