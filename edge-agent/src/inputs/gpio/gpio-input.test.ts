import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEventBuffer } from "../../buffer/event-buffer.js";
import type { EventBuffer } from "../../buffer/types.js";
import { createSilentLogger } from "../../common/logger.js";
import { createCleanups } from "../../test-support/cleanups.js";
import { writeGpiomonStub } from "../../test-support/gpiomon-stub.js";
import { createRecordingObserver } from "../../test-support/recording-observer.js";
import { createTempDir, type TempDir } from "../../test-support/temp-dir.js";
import { waitFor } from "../../test-support/test-broker.js";
import { GpioConfigSchema } from "./gpio-config.js";
import { createGpioInput } from "./gpio-input.js";

// A session in libgpiod v2 gpiomon's default output format (see gpiomon-line.ts): a loop on line
// 17 with contact bounce, then beams on 22 (A) and 23 (B), active low: in, out, and a backed-out car.
const SESSION = readFileSync(new URL("./testdata/gpiomon-v2-session.txt", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line !== "");

describe("gpio input with a gpiomon stand-in printing v2 lines", () => {
  let dir: TempDir;
  let buffer: EventBuffer;
  const cleanups = createCleanups();

  beforeEach(() => {
    dir = createTempDir();
    cleanups.add(() => dir.remove());
    buffer = createEventBuffer({
      path: dir.file("buffer.db"),
      gatewayId: "gw-1",
      site: "mall-a",
      bootId: "boot-a",
      logger: createSilentLogger(),
    });
    cleanups.add(() => buffer.close());
  });
  afterEach(() => cleanups.run());

  it("counts loop vehicles and beam directions, skips junk, and restarts gpiomon when it exits", async () => {
    const gpiomon = writeGpiomonStub(dir.path, SESSION, ["5030.000000000\trising\tgpiochip0 17"]);
    const observer = createRecordingObserver();
    const config = GpioConfigSchema.parse({
      type: "gpio",
      chip: "gpiochip0",
      gpiomon,
      debounceMs: 20,
      restartMinMs: 50,
      restartMaxMs: 100,
      loops: [{ line: 17, door: "lane-in-1" }],
      beams: [{ a: 22, b: 23, door: "door-1", activeLow: true, gapMs: 200 }],
    });
    const input = createGpioInput(
      { ...config, name: "gpio0" },
      {
        sink: async (readings) => void (await buffer.accept(readings)),
        logger: createSilentLogger(),
        observer,
      },
    );
    cleanups.add(() => input.close());
    input.start();

    await waitFor(
      () => buffer.depth() === 4,
      "three crossings and the loop vehicle after the restart",
      10_000,
    );
    const crossings = buffer.peek(0, 100, 1_000_000).map((event) => {
      const { door, direction } = JSON.parse(event.json) as { door: string; direction: number };
      return `${door}:${direction}`;
    });
    expect(crossings).toEqual(["lane-in-1:1", "door-1:1", "door-1:-1", "lane-in-1:1"]);
    expect(observer.malformedCounts).toEqual({ fields: 1 });
    expect(observer.outages).toBe(1);
    expect(observer.opens).toBe(2);
    const runs = readFileSync(dir.file("gpiomon-runs"), "utf8").trim().split("\n");
    expect(runs.map((line) => JSON.parse(line))).toEqual([
      ["--chip", "gpiochip0", "--edges", "both", "17", "22", "23"],
      ["--chip", "gpiochip0", "--edges", "both", "17", "22", "23"],
    ]);
  }, 20_000);

  it("reports an outage when gpiomon cannot be started", async () => {
    const observer = createRecordingObserver();
    const config = GpioConfigSchema.parse({
      type: "gpio",
      chip: "gpiochip0",
      gpiomon: dir.file("no-such-gpiomon"),
      restartMinMs: 20,
      restartMaxMs: 40,
      loops: [{ line: 4, door: "lane-in-1" }],
    });
    const input = createGpioInput(
      { ...config, name: "gpio0" },
      { sink: async () => undefined, logger: createSilentLogger(), observer },
    );
    cleanups.add(() => input.close());
    input.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(observer.outages).toBe(1);
    expect(observer.up).toBe(false);
  });
});
