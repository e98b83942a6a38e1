import { type ChildProcess, fork, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LotwatchError } from "@lotwatch/protocol/errors.js";

export interface ChildOptions {
  /** For error messages, e.g. "ingest". */
  label: string;
  script: string;
  /** Node options before the script, e.g. the flags of the script's shebang. */
  nodeArgs?: string[];
  args: string[];
  readyFile: string;
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

export interface RunningChild<Ready> {
  pid: number;
  ready: Ready;
  /** The last lines it wrote, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within the timeout. */
  stop(timeoutMs?: number): Promise<void>;
}

const KEEP_LINES = 40;

/** The built CLI script of a workspace package, e.g. `@lotwatch/cloud-ingest/cli.js`. */
export function builtScript(specifier: string): string {
  return fileURLToPath(import.meta.resolve(specifier));
}

/** The Node flags in a script's `#!/usr/bin/env -S node FLAGS` line, so a benchmark runs it as installed. */
export function shebangNodeFlags(script: string): string[] {
  const first = readFileSync(script, "utf8").split("\n", 1)[0] ?? "";
  const match = /^#!\S*env -S node((?: --?\S+)*)\s*$/.exec(first);
  return match?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

/**
 * Spawns `node script args`, with logs at warn, and waits until it writes its ready file (the
 * JSON both CLIs write once they listen).
 */
export async function startChild<Ready>(options: ChildOptions): Promise<RunningChild<Ready>> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script, ...options.args], {
    env: { ...process.env, LOTWATCH_LOG_LEVEL: "warn", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (timeoutMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    const ready = await waitForReadyFile<Ready>(child, options);
    return { pid: child.pid as number, ready, output: () => lines.join("\n"), stop };
  } catch (error) {
    await stop(2000);
    const detail = lines.slice(-10).join("\n");
    throw new LotwatchError(
      "child_not_ready",
      `${options.label} did not start: ${(error as Error).message}${detail ? `\n${detail}` : ""}`,
    );
  }
}

async function waitForReadyFile<Ready>(child: ChildProcess, options: ChildOptions): Promise<Ready> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    if (existsSync(options.readyFile)) return JSON.parse(readFileSync(options.readyFile, "utf8")) as Ready;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ready file ${options.readyFile} within ${options.readyTimeoutMs ?? 30_000} ms`);
}

/** Resident and peak resident memory of a process in bytes (Linux /proc). */
export function residentMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
    if (match === null) throw new LotwatchError("no_proc_status", `/proc/${pid}/status has no ${name}`);
    return Number(match[1]) * 1024;
  };
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}

export interface ForkOptions {
  /** For error messages, e.g. "autocannon". */
  label: string;
  /** A built script next to the caller's, e.g. `new URL("./x-child.js", import.meta.url)`. */
  script: URL;
  /** JSON-encoded into the child's argv[2]. */
  input: unknown;
  /** Node options, e.g. the flags of the component's shebang; default: this process's. */
  execArgv?: string[];
  /** The child is killed after this long. */
  timeoutMs: number;
}

/**
 * Runs a child script that takes its input from argv[2] and sends one result over IPC before it
 * exits, and returns that result; a child that exits without one fails with its last stderr.
 */
export function forkForResult<Result>(options: ForkOptions): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(options.script), [JSON.stringify(options.input)], {
      execArgv: options.execArgv ?? process.execArgv,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    let result: { value: Result } | undefined;
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("message", (message) => {
      result = { value: message as Result };
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (result !== undefined) resolve(result.value);
      else {
        const how = signal === null ? `with code ${code}` : `on ${signal}`;
        reject(new LotwatchError("child_failed", `${options.label} exited ${how}: ${stderr.slice(-500)}`));
      }
    });
  });
}
