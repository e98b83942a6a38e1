import { describe, expect, it } from "vitest";
import { runForecastEvalCommand } from "./forecast-eval-command.js";

async function run(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runForecastEvalCommand(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe("lotwatch-ingest forecast-eval", () => {
  it("prints the model's and the seasonal-naive baseline's MAE for each simulated mall", async () => {
    const { code, stdout } = await run(["--runs", "1", "--seed", "2", "--weeks", "1", "--horizon", "2h"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^forecast evaluation: 1 simulated weeks of history, .* 2h ahead at 15m steps$/m);
    expect(stdout).toMatch(
      /^seed 2: model MAE \d+\.\d, seasonal naive MAE \d+\.\d \(\d+% lower\), 80% interval/m,
    );
    expect(stdout).toMatch(/^mean over 1 malls: model MAE/m);
  });

  it("refuses a step that does not divide a day, as a usage error", async () => {
    const { code, stderr } = await run(["--step", "7m"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--step must be whole minutes dividing a day/);
  });
});
