import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { waitFor } from "./test-broker.js";

const SIM_CLI = fileURLToPath(new URL("../../../simulators/dist/cli.js", import.meta.url));

export interface ModbusSlaveSim {
  /** Sends one control line (see `lotwatch-sim modbus-slave --help`). */
  control(command: Record<string, unknown>): void;
  /** JSON lines the simulator printed so far. */
  lines(): Array<Record<string, unknown>>;
  /** SIGTERM, then the final stats line. */
  stop(): Promise<Record<string, unknown> | undefined>;
}

/** The built `lotwatch-sim modbus-slave` as a real process on DEVICE (`npm test` builds it first). */
export async function startModbusSlaveSim(device: string, args: string[]): Promise<ModbusSlaveSim> {
  if (!existsSync(SIM_CLI))
    throw new Error(`${SIM_CLI} is missing: build the simulators first (npm run build)`);
  const child = spawn(process.execPath, [SIM_CLI, "modbus-slave", "--device", device, ...args], {
    env: { ...process.env, LOTWATCH_LOG_LEVEL: "error" },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: Array<Record<string, unknown>> = [];
  let partial = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) if (part.trim() !== "") lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitFor(
    () => lines.some((line) => line.event === "ready") || child.exitCode !== null,
    "the slave to be ready",
  );
  if (child.exitCode !== null) throw new Error(`lotwatch-sim modbus-slave exited with ${child.exitCode}`);
  return {
    control: (command) => child.stdin.write(`${JSON.stringify(command)}\n`),
    lines: () => [...lines],
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      return lines.find((line) => line.event === "stats");
    },
  };
}
