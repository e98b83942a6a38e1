import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { builtScript, shebangNodeFlags } from "./child.js";

/** Readings per `accept` call: what a line input hands over from one chunk of its device. */
export const CHUNK = 10;
/** Chunks handed over between two turns of the event loop. */
export const CHUNKS_PER_TURN = 100;

export interface AcceptOptions {
  /** Folder for the buffer files, one per pass. */
  dir: string;
  /** Readings of the mix per pass, and its seed. */
  count: number;
  seed: number;
  site: string;
  passes: number;
}

export interface AcceptPass {
  /** Readings per second, until the last accept's promise resolved (all committed). */
  rate: number;
  readingsPerCommit: number;
}

/** Generous: a pass of 200,000 readings takes about a second here, several on a Pi. */
const TIMEOUT_MS = 300_000;

/**
 * Runs the agent's buffer in a child process started with the Node flags of `lotwatch-agent`'s
 * shebang, as a gateway runs it: its 1 MB young generation decides what a reading costs in GC, and
 * in the benchmark's own process the agent would get V8's defaults instead.
 */
export function runAcceptPasses(options: AcceptOptions): Promise<AcceptPass[]> {
  const script = fileURLToPath(new URL("./accept-child.js", import.meta.url));
  const execArgv = shebangNodeFlags(builtScript("@lotwatch/edge-agent/cli.js"));
  return new Promise((resolve, reject) => {
    const child = fork(script, [JSON.stringify(options)], {
      execArgv,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    let result: AcceptPass[] | undefined;
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("message", (message) => {
      result = message as AcceptPass[];
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (result !== undefined) resolve(result);
      else {
        const how = signal === null ? `with code ${code}` : `on ${signal}`;
        reject(
          new LotwatchError(
            "accept_failed",
            `the agent buffer's process exited ${how}: ${stderr.slice(-500)}`,
          ),
        );
      }
    });
  });
}
