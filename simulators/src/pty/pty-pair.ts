import { type ChildProcess, spawn } from "node:child_process";
import { lstat, mkdir, readlink, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { createLogger, type Logger } from "../log.js";

export interface PtyPairOptions {
  /** Folder for the two links; created when missing. */
  dir: string;
  /** The device link is DIR/NAME, the simulator's end DIR/NAME-sim. */
  name: string;
  /** How long to wait for socat to set the pair up. Default 5000 ms. */
  timeoutMs?: number;
  /** The socat binary. Default `socat` from PATH. */
  socatPath?: string;
  logger?: Logger;
  /**
   * Run socat in its own process group, so a terminal's Ctrl-C reaches only the program that
   * owns the pair and it can stop the pair's users first. Default false.
   */
  detached?: boolean;
}

export interface PtyPair {
  /** socat's process id. */
  pid: number;
  /** The end a serial reader (the agent) opens, as if it were the camera's port. */
  devicePath: string;
  /** The end the simulator writes to. */
  simPath: string;
  /** Resolves when socat has exited, whether by close() or on its own. */
  exited: Promise<void>;
  /** Stops socat, waits for it to exit and removes the links if socat left them. */
  close(): Promise<void>;
}

const PTY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
// Characters socat's address syntax gives a meaning to; a path holding them would be misparsed.
const SOCAT_SPECIAL = /[,:!"'\\[\]{}()]/;
const PTY_LINE = /PTY is (\S+)/g;
const KILL_GRACE_MS = 5000;

/** Two linked pseudo-terminals made by socat: what one end writes, the other end reads. */
export async function createPtyPair(options: PtyPairOptions): Promise<PtyPair> {
  const { devicePath, simPath } = await preparePaths(options);
  const logger = options.logger ?? createLogger("pty-pair");
  const timeoutMs = options.timeoutMs ?? 5000;
  const socat = spawn(
    options.socatPath ?? "socat",
    ["-d", "-d", `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${simPath}`],
    { stdio: ["ignore", "ignore", "pipe"], detached: options.detached ?? false },
  );

  let stderr = "";
  socat.stderr?.setEncoding("utf8");
  socat.stderr?.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  // Warn only when a ready pair vanishes; failures before that are thrown to the caller.
  let watching = false;
  const exited = new Promise<void>((done) => {
    socat.once("close", (code, signal) => {
      if (watching) logger.warn({ code, signal, stderr: stderr.trim() }, "socat exited on its own");
      done();
    });
  });

  let ptys: string[];
  try {
    ptys = await waitForLinks(socat, () => stderr, [devicePath, simPath], timeoutMs);
  } catch (error) {
    socat.kill("SIGKILL");
    await exited;
    throw error;
  }
  logger.info({ pid: socat.pid, devicePath, simPath }, "pty pair ready");
  watching = true;

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      watching = false;
      await stop(socat, exited);
      await removeOwnLinks([devicePath, simPath], ptys);
    })();
    return closed;
  };
  return { pid: socat.pid as number, devicePath, simPath, exited, close };
}

async function preparePaths(options: PtyPairOptions) {
  if (!PTY_NAME.test(options.name)) {
    throw new LotwatchError(
      "BAD_PTY_NAME",
      `pty name must be 1-64 letters, digits, '_', '.', '-', got "${options.name}"`,
    );
  }
  const dir = resolve(options.dir);
  if (SOCAT_SPECIAL.test(dir)) {
    throw new LotwatchError(
      "BAD_PTY_DIR",
      `pty dir must not contain any of , : ! " ' \\ [ ] { } ( ), got "${dir}"`,
    );
  }
  await mkdir(dir, { recursive: true });
  const devicePath = join(dir, options.name);
  const simPath = `${devicePath}-sim`;
  for (const path of [devicePath, simPath]) {
    const stat = await lstat(path).catch(() => undefined);
    // A symlink is a leftover of an earlier pair and socat replaces it; anything else is not ours.
    if (stat !== undefined && !stat.isSymbolicLink()) {
      throw new LotwatchError(
        "PTY_PATH_TAKEN",
        `${path} exists and is not a pty link; choose another name or dir`,
      );
    }
  }
  return { devicePath, simPath };
}

/**
 * Ready when socat has reported both ptys and both links point at them, so a stale link left by
 * an earlier pair is never mistaken for the new one.
 */
async function waitForLinks(
  socat: ChildProcess,
  stderr: () => string,
  links: string[],
  timeoutMs: number,
): Promise<string[]> {
  let failure: Error | undefined;
  // `on`, not `once`: an error after the pair is ready must not go unhandled and crash the process.
  socat.on("error", (error: NodeJS.ErrnoException) => {
    failure ??= spawnFailure(error);
  });
  // "close", not "exit": by then socat's stderr has been read to the end, so its last words are in.
  socat.once("close", (code, signal) => {
    failure ??= new LotwatchError(
      "SOCAT_FAILED",
      `socat exited (${signal ?? `code ${code}`}) before the pty pair was ready: ${lastLine(stderr())}`,
    );
  });

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (failure) throw failure;
    const ptys = [...stderr().matchAll(PTY_LINE)].map((match) => match[1] as string);
    if (ptys.length >= links.length) {
      const targets = await Promise.all(links.map((link) => readlink(link).catch(() => undefined)));
      if (targets.every((target, i) => target === ptys[i])) return ptys;
    }
    await sleep(20);
  }
  throw new LotwatchError(
    "PTY_TIMEOUT",
    `socat did not set up the pty pair within ${timeoutMs} ms: ${lastLine(stderr()) || "no output"}`,
  );
}

async function stop(socat: ChildProcess, exited: Promise<void>): Promise<void> {
  if (socat.exitCode !== null || socat.signalCode !== null) return exited;
  socat.kill("SIGTERM");
  const grace = new AbortController();
  const timedOut = sleep(KILL_GRACE_MS, true, { signal: grace.signal }).catch(() => false);
  const stuck = await Promise.race([exited.then(() => false), timedOut]);
  grace.abort();
  if (stuck) {
    socat.kill("SIGKILL");
    await exited;
  }
}

async function removeOwnLinks(links: string[], ptys: string[]): Promise<void> {
  await Promise.all(
    links.map(async (link, i) => {
      const target = await readlink(link).catch(() => undefined);
      // Another pair may have taken the name since; only remove a link that still points at ours.
      if (target !== undefined && target === ptys[i]) await unlink(link).catch(() => undefined);
    }),
  );
}

function spawnFailure(error: NodeJS.ErrnoException): LotwatchError {
  if (error.code === "ENOENT") {
    const message = "socat is not installed (or not on PATH); install it: apt-get install socat";
    return new LotwatchError("SOCAT_MISSING", message, { cause: error });
  }
  return new LotwatchError("SOCAT_FAILED", `could not start socat: ${error.message}`, { cause: error });
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}
