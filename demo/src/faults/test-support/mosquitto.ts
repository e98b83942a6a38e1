import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Debian's broker binary; the fault tests run their own, never the system one on 1883. */
export const MOSQUITTO_BIN = "/usr/sbin/mosquitto";

export interface MosquittoOptions {
  /** Folder for the config, the persistence file and the log. */
  dir: string;
  /**
   * Mosquitto writes its in-memory database to disk on a clean stop and every `autosaveInterval`
   * seconds (default 1800), or, with `autosaveOnChanges`, after that many changes.
   */
  autosaveInterval?: number;
  autosaveOnChanges?: boolean;
}

/** A Mosquitto process with persistence on, restartable on the same port and persistence file. */
export interface Mosquitto {
  readonly url: string;
  readonly logFile: string;
  start(): Promise<void>;
  /** SIGTERM saves the database and exits; SIGKILL loses what was not saved yet. */
  stop(signal: "SIGTERM" | "SIGKILL"): Promise<void>;
  running(): boolean;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 15_000;

/** Children run in their own process groups; should the test process die, take them along. */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** A free port on 127.0.0.1 now; Mosquitto binds it a moment later (and again on each restart). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function config(options: MosquittoOptions, port: number): string {
  const lines = [
    `listener ${port} 127.0.0.1`,
    "allow_anonymous true",
    "persistence true",
    `persistence_location ${options.dir}/`,
    // Unlimited: the defaults (1000 queued per client) drop messages for a slow consumer.
    "max_queued_messages 0",
    "max_inflight_messages 0",
    // Started as root (tmpfs tests), Mosquitto would switch to its own user and not reach the temp dir.
    "user root",
    // Its stdout is block-buffered in a pipe and lost on SIGKILL; the log file is flushed per line.
    `log_dest file ${join(options.dir, "mosquitto.log")}`,
  ];
  if (options.autosaveInterval !== undefined) lines.push(`autosave_interval ${options.autosaveInterval}`);
  if (options.autosaveOnChanges !== undefined) lines.push(`autosave_on_changes ${options.autosaveOnChanges}`);
  return `${lines.join("\n")}\n`;
}

export async function createMosquitto(options: MosquittoOptions): Promise<Mosquitto> {
  const port = await freePort();
  const configFile = join(options.dir, "mosquitto.conf");
  const logFile = join(options.dir, "mosquitto.log");
  writeFileSync(configFile, config(options, port));
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const running = () => child !== null && child.exitCode === null && child.signalCode === null;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    logFile,
    running,
    async start() {
      // Errors before the log file opens (a bad config) go to stderr: into the same file.
      const stderr = openSync(logFile, "a");
      const started = spawn(MOSQUITTO_BIN, ["-c", configFile], {
        stdio: ["ignore", "ignore", stderr],
        detached: true,
      });
      closeSync(stderr);
      child = started;
      live.add(started);
      exited = new Promise((resolve) =>
        started.once("exit", () => {
          live.delete(started);
          resolve();
        }),
      );
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (!(await accepts(port))) {
        if (!running() || Date.now() > deadline) {
          const tail = existsSync(logFile)
            ? readFileSync(logFile, "utf8").split("\n").slice(-10).join("\n")
            : "";
          throw new Error(
            `mosquitto did not listen on port ${port} within ${START_TIMEOUT_MS} ms; its log:\n${tail}`,
          );
        }
        await sleep(50);
      }
    },
    async stop(signal) {
      const current = child;
      if (current === null || !running()) return;
      current.kill(signal);
      const timeout = sleep(STOP_TIMEOUT_MS).then(() => "timeout" as const);
      if ((await Promise.race([exited, timeout])) === "timeout") current.kill("SIGKILL");
      await exited;
    },
  };
}
