import type { MachineInfo } from "../harness/machine.js";
import type { BenchmarkResult, Mode } from "../harness/types.js";

/** Everything one run measured: the content of bench.json, from which bench.md is written. */
export interface SuiteReport {
  /** Bumped when the JSON's shape changes. */
  formatVersion: 1;
  command: string;
  mode: Mode;
  samples: number;
  startedAt: string;
  seconds: number;
  machine: MachineInfo;
  /** Load averages when the run ended (the start is in `machine`). */
  loadAverageAtEnd: number[];
  results: BenchmarkResult[];
}
