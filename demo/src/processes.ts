import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { LotwatchError } from "@lotwatch/protocol/errors.js";

export interface ServiceOptions {
  name: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/** Starts `node ARGS` with its output appended to a log file, so the demo's terminal stays readable. */
export function startService(options: ServiceOptions): Service {
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child = spawn(process.execPath, options.args, {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: a terminal's Ctrl-C reaches only the demo, which stops the services in order.
    detached: true,
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code, signal) => {
      log.end();
      resolve(code ?? (signal ? 128 : null));
    });
  });
  return {
    name: options.name,
    child,
    logFile: options.logFile,
    exited,
    async stop(signal = "SIGTERM", graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = sleep(graceMs).then(() => "timeout" as const);
      if ((await Promise.race([exited, timer])) === "timeout") child.kill("SIGKILL");
      return exited;
    },
  };
}

/** Waits for a ready file a service writes once it listens; fails early when the service exits. */
export async function waitForReadyFile<T>(service: Service, path: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  service.exited.then((code) => {
    exitCode = code;
  });
  while (Date.now() < deadline) {
    if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as T;
    if (exitCode !== undefined) {
      throw new LotwatchError(
        "SERVICE_EXITED",
        `${service.name} exited with code ${exitCode} before it was ready; its log: ${service.logFile}\n${tail(service.logFile)}`,
      );
    }
    await sleep(50);
  }
  throw new LotwatchError(
    "SERVICE_TIMEOUT",
    `${service.name} was not ready after ${timeoutMs} ms; its log: ${service.logFile}\n${tail(service.logFile)}`,
  );
}

function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}
