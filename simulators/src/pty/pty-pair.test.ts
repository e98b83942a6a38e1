import { lstat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDeviceReader } from "../test-support/device-reader.js";
import { silentLogger } from "../test-support/silent-logger.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { openDeviceWriter } from "./device-writer.js";
import { createPtyPair, type PtyPair } from "./pty-pair.js";

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );
const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("createPtyPair", () => {
  let dir: TempDir;
  const pairs: PtyPair[] = [];

  beforeEach(async () => {
    dir = await createTempDir();
  });
  afterEach(async () => {
    await Promise.all(pairs.splice(0).map((pair) => pair.close()));
    await dir.remove();
  });

  it("carries lines written at the sim end to the device end", async () => {
    const pair = await createPtyPair({ dir: dir.path, name: "cam0", logger: silentLogger });
    pairs.push(pair);
    expect(pair.devicePath).toBe(join(dir.path, "cam0"));
    expect(pair.simPath).toBe(join(dir.path, "cam0-sim"));

    const reader = openDeviceReader(pair.devicePath);
    const writer = await openDeviceWriter(pair.simPath);
    await writer.write(Buffer.from("first line\nsecond line\n"));
    await writer.close();
    try {
      expect(await reader.waitForLines(2, 5000)).toEqual(["first line", "second line"]);
    } finally {
      reader.close();
    }
  });

  it("keeps working after the simulator closes its end and opens it again", async () => {
    const pair = await createPtyPair({ dir: dir.path, name: "cam0", logger: silentLogger });
    pairs.push(pair);
    const reader = openDeviceReader(pair.devicePath);
    try {
      for (const text of ["run 1\n", "run 2\n"]) {
        const writer = await openDeviceWriter(pair.simPath);
        await writer.write(Buffer.from(text));
        await writer.close();
      }
      expect(await reader.waitForLines(2, 5000)).toEqual(["run 1", "run 2"]);
    } finally {
      reader.close();
    }
  });

  it("leaves no socat process and no links after close()", async () => {
    const pair = await createPtyPair({ dir: dir.path, name: "cam0", logger: silentLogger });
    expect(processAlive(pair.pid)).toBe(true);
    await pair.close();
    await pair.close();
    expect(processAlive(pair.pid)).toBe(false);
    expect(await exists(pair.devicePath)).toBe(false);
    expect(await exists(pair.simPath)).toBe(false);
  });

  it("replaces links left behind by an earlier pair", async () => {
    await symlink("/dev/pts/999999", join(dir.path, "cam0"));
    await symlink("/dev/pts/999998", join(dir.path, "cam0-sim"));
    const pair = await createPtyPair({ dir: dir.path, name: "cam0", logger: silentLogger });
    pairs.push(pair);
    const reader = openDeviceReader(pair.devicePath);
    const writer = await openDeviceWriter(pair.simPath);
    await writer.write(Buffer.from("fresh\n"));
    await writer.close();
    try {
      expect(await reader.waitForLines(1, 5000)).toEqual(["fresh"]);
    } finally {
      reader.close();
    }
  });

  it("refuses a name whose path is a regular file", async () => {
    await writeFile(join(dir.path, "cam0-sim"), "not a pty");
    await expect(createPtyPair({ dir: dir.path, name: "cam0", logger: silentLogger })).rejects.toMatchObject({
      code: "PTY_PATH_TAKEN",
    });
  });

  it("refuses names and dirs that socat would misread", async () => {
    await expect(createPtyPair({ dir: dir.path, name: "a/b" })).rejects.toMatchObject({
      code: "BAD_PTY_NAME",
    });
    await expect(createPtyPair({ dir: join(dir.path, "x,y"), name: "cam0" })).rejects.toMatchObject({
      code: "BAD_PTY_DIR",
    });
  });

  it("says how to install socat when it is missing", async () => {
    const attempt = createPtyPair({
      dir: dir.path,
      name: "cam0",
      socatPath: join(dir.path, "no-socat"),
      logger: silentLogger,
    });
    await expect(attempt).rejects.toMatchObject({
      code: "SOCAT_MISSING",
      message: expect.stringContaining("apt-get install socat"),
    });
  });

  it("reports socat failing to start with its own words", async () => {
    const fakeSocat = join(dir.path, "fake-socat");
    await writeFile(fakeSocat, "#!/bin/sh\necho 'E something is wrong' >&2\nexit 1\n", { mode: 0o755 });
    await expect(createPtyPair({ dir: dir.path, name: "cam0", socatPath: fakeSocat })).rejects.toMatchObject({
      code: "SOCAT_FAILED",
      message: expect.stringContaining("something is wrong"),
    });
  });

  it("tells exited when socat dies on its own", async () => {
    const pair = await createPtyPair({ dir: dir.path, name: "cam0", logger: silentLogger });
    pairs.push(pair);
    process.kill(pair.pid, "SIGKILL");
    await expect(Promise.race([pair.exited.then(() => "exited"), sleepThen(5000, "timeout")])).resolves.toBe(
      "exited",
    );
  });
});

function sleepThen<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, ms, value).unref());
}
