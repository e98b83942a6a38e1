import { Command, CommanderError, InvalidArgumentError } from "commander";
import { parseStep } from "../counts/history-step.js";
import { type EvaluationResult, evaluateForecast } from "../forecast/evaluate.js";
import { type CommandOutput, PROCESS_OUTPUT } from "./secret-file-command.js";

interface ForecastEvalFlags {
  seed: number;
  runs: number;
  weeks: number;
  step?: number;
  horizon?: number;
  json?: boolean;
}

function wholeNumber(name: string, min: number, max: number) {
  return (text: string) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

function duration(name: string) {
  return (text: string) => {
    const ms = parseStep(text);
    if (ms === null)
      throw new InvalidArgumentError(`${name}: "${text}" is not a duration such as 15m, 6h or PT6H`);
    return ms;
  };
}

const minutes = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${ms / 60_000}m`);

function line(result: EvaluationResult): string {
  const better = (1 - result.ratio) * 100;
  return (
    `seed ${result.seed}: model MAE ${result.modelMae.toFixed(1)}, seasonal naive MAE ${result.naiveMae.toFixed(1)}` +
    ` (${better.toFixed(0)}% lower), ${Math.round(result.intervalLevel * 100)}% interval coverage ` +
    `${(result.coverage * 100).toFixed(1)}%, mean count ${result.meanCount.toFixed(0)}`
  );
}

/**
 * `lotwatch-ingest forecast-eval`: simulates a mall for `--weeks` weeks plus one, forecasts the
 * last week from every hour and prints the model's MAE beside the seasonal-naive baseline's.
 * Resolves with the exit code: 0, or 1 when the model does not beat the baseline.
 */
export async function runForecastEvalCommand(
  argv: string[],
  output: CommandOutput = PROCESS_OUTPUT,
): Promise<number> {
  const program = new Command("lotwatch-ingest forecast-eval")
    .description(
      "Simulate a mall car park (daily and weekly pattern, busy and quiet days, Poisson arrivals), forecast the week after the history from every hour, and print the mean absolute error of the forecast and of the seasonal-naive baseline (the count a week earlier).",
    )
    .option("--seed <n>", "seed of the first simulated mall", wholeNumber("--seed", 0, 2 ** 31), 1)
    .option("--runs <n>", "malls to simulate, seeds seed, seed+1, …", wholeNumber("--runs", 1, 50), 3)
    .option("--weeks <n>", "weeks of history before the forecast week", wholeNumber("--weeks", 1, 8), 2)
    .option("--step <duration>", "grid step, e.g. 5m or PT15M (default: 15m)", duration("--step"))
    .option("--horizon <duration>", "how far ahead each forecast goes (default: 6h)", duration("--horizon"))
    .option("--json", "print the results as JSON lines")
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr })
    .exitOverride()
    .showHelpAfterError();
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const parsed = program.opts<ForecastEvalFlags>();
  const flags = { ...parsed, step: parsed.step ?? 15 * 60_000, horizon: parsed.horizon ?? 6 * 3_600_000 };
  if (flags.step < 60_000 || 86_400_000 % flags.step !== 0) {
    output.stderr(
      "lotwatch-ingest forecast-eval: --step must be whole minutes dividing a day (5m, 15m, 1h…)\n",
    );
    return 2;
  }
  if (!flags.json) {
    output.stdout(
      `forecast evaluation: ${flags.weeks} simulated weeks of history, then every hour of the next week ` +
        `forecast ${minutes(flags.horizon)} ahead at ${minutes(flags.step)} steps\n`,
    );
  }
  const results: EvaluationResult[] = [];
  for (let run = 0; run < flags.runs; run++) {
    const result = evaluateForecast({
      seed: flags.seed + run,
      trainWeeks: flags.weeks,
      stepMs: flags.step,
      horizonMs: flags.horizon,
    });
    results.push(result);
    output.stdout(`${flags.json ? JSON.stringify(result) : line(result)}\n`);
  }
  const model = results.reduce((sum, r) => sum + r.modelMae, 0) / results.length;
  const naive = results.reduce((sum, r) => sum + r.naiveMae, 0) / results.length;
  if (!flags.json) {
    output.stdout(
      `mean over ${results.length} malls: model MAE ${model.toFixed(1)}, seasonal naive MAE ${naive.toFixed(1)} ` +
        `(model/naive = ${(model / naive).toFixed(2)})\n`,
    );
  }
  return model < naive ? 0 : 1;
}
