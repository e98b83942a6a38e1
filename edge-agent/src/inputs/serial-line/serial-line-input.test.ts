import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEventBuffer } from "../../buffer/event-buffer.js";
import type { EventBuffer } from "../../buffer/types.js";
import { createSilentLogger } from "../../common/logger.js";
import { createCleanups } from "../../test-support/cleanups.js";
import { startPtyPair } from "../../test-support/pty-pair.js";
import { createRecordingObserver } from "../../test-support/recording-observer.js";
import { createTempDir, type TempDir } from "../../test-support/temp-dir.js";
import { waitFor } from "../../test-support/test-broker.js";
import type { Input } from "../input.js";
import { createSerialLineInput } from "./serial-line-input.js";

const line = (plate: string) => `${JSON.stringify({ type: "vehicle.entry", lane: "entry-1", plate })}\n`;

describe("serial line input over a pseudo-terminal", () => {
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

  const plates = () =>
    buffer.peek(0, 1000, 1_000_000).map((event) => (JSON.parse(event.json) as { plate?: string }).plate);

  it("stores valid readings, counts malformed lines, survives the device vanishing and reopens it", async () => {
    let pty = await startPtyPair(dir.path);
    cleanups.add(() => pty.kill());
    const observer = createRecordingObserver();
    const input: Input = createSerialLineInput(
      {
        type: "serial",
        name: "cam0",
        path: pty.devicePath,
        baudRate: 9600,
        parity: "none",
        dataBits: 8,
        stopBits: 1,
        format: "jsonl",
        maxLineLength: 256,
        checksum: "none",
        reopenMinMs: 50,
        reopenMaxMs: 200,
      },
      {
        sink: async (readings) => void (await buffer.accept(readings)),
        logger: createSilentLogger(),
        observer,
      },
    );
    cleanups.add(() => input.close());
    input.start();
    await waitFor(() => observer.up, "the port to open");

    pty.write(line("AAA111"));
    pty.write(Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x0a]));
    pty.write(line("BBB222"));
    pty.write(`{"type":"vehicle.entry","plate":"${"X".repeat(400)}"}\n`);
    pty.write('{"type": "vehicle.entry", "lane": \n');
    pty.write('{"type":"door.crossing","door":"door-1","direction":7}\n');
    pty.write(line("CCC333").replace("\n", "\r\n"));
    pty.write('{"type":"door.cross');
    await waitFor(() => buffer.depth() === 3, "three valid readings in the buffer");
    expect(plates()).toEqual(["AAA111", "BBB222", "CCC333"]);
    // Let the half line arrive before the device vanishes.
    await new Promise((resolve) => setTimeout(resolve, 200));

    await pty.kill();
    await waitFor(
      () => !observer.up && observer.malformedCounts.partial === 1,
      "the close and the half line",
    );
    expect(observer.malformedCounts).toEqual({ encoding: 1, overlong: 1, json: 1, schema: 1, partial: 1 });
    expect(observer.outages).toBe(1);

    // Reopening fails while the device is gone; it is one outage, however many attempts.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(observer.outages).toBe(1);

    pty = await startPtyPair(dir.path);
    await waitFor(() => observer.up, "the port to reopen", 5000);
    pty.write(line("DDD444"));
    await waitFor(() => buffer.depth() === 4, "the reading after reopening");
    expect(plates()).toEqual(["AAA111", "BBB222", "CCC333", "DDD444"]);
    expect(observer.opens).toBe(2);
  });
});
