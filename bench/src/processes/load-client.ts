import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { LotwatchError } from "@lotwatch/protocol/errors.js";

export interface LoadOptions {
  url: string;
  /** Paths each connection cycles through. */
  paths: string[];
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/**
 * Runs autocannon in a child process, so the client does not share the server's event loop, and
 * returns its figures.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const script = fileURLToPath(new URL("./load-client-child.js", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = fork(script, [JSON.stringify(options)], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let stderr = "";
    let result: LoadResult | undefined;
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("message", (message) => {
      result = message as LoadResult;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), (options.durationSeconds + 30) * 1000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (result !== undefined) resolve(result);
      else reject(new LotwatchError("load_failed", `autocannon exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
}
