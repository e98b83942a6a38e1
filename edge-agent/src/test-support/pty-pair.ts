import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";

export interface PtyPair {
  /** The end the agent opens as its serial port. */
  devicePath: string;
  /** Writes bytes into the other end, as a sensor would. */
  write(data: string | Buffer): void;
  /** Kills socat, so the device vanishes like an unplugged USB adapter. */
  kill(): Promise<void>;
}

/** A pseudo-terminal pair from `socat`, linked as DIR/a (device) and DIR/b (sensor side). */
export async function startPtyPair(dir: string, timeoutMs = 5000): Promise<PtyPair> {
  const devicePath = join(dir, "a");
  const sensorPath = join(dir, "b");
  const socat: ChildProcess = spawn(
    "socat",
    ["-d", "-d", `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${sensorPath}`],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => socat.once("exit", () => resolve()));
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(devicePath) || !existsSync(sensorPath)) {
    if (Date.now() > deadline || socat.exitCode !== null) {
      socat.kill("SIGKILL");
      throw new Error(`socat did not create ${devicePath} and ${sensorPath} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const fd = openSync(sensorPath, "w");
  let open = true;
  return {
    devicePath,
    write(data) {
      writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    },
    async kill() {
      if (open) closeSync(fd);
      open = false;
      if (socat.exitCode === null) socat.kill("SIGTERM");
      await exited;
    },
  };
}
