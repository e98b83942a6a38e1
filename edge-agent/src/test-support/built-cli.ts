import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const CLI_PATH = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export interface BuiltCli {
  /** Starts `lotwatch-agent ARGS` as a real node process. */
  spawn(args: string[], env?: NodeJS.ProcessEnv): CliProcess;
}

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code; kills the process after timeoutMs. */
  exited(timeoutMs?: number): Promise<number | null>;
}

/**
 * The built CLI (`npm test` builds every package first), run as `node dist/cli.js` so tests send it
 * real signals.
 */
export function builtCli(): BuiltCli {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: build first (npm run build)`);
  return { spawn: (args, env = {}) => spawnNode(CLI_PATH, args, env) };
}

function spawnNode(cliPath: string, args: string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { ...process.env, LOTWATCH_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async exited(timeoutMs = 20_000) {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
