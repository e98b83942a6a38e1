import { afterEach, describe, expect, it } from "vitest";
import { createPtyPair, type PtyPair } from "../pty/pty-pair.js";
import { askRtu as ask } from "../test-support/rtu-ask.js";
import { silentLogger } from "../test-support/silent-logger.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { createBayBus } from "./bay-bus.js";
import { createModbusSlave, type ModbusSlave } from "./modbus-slave.js";
import { crcMatches, withCrc } from "./rtu-frames.js";

describe("modbus slave over a pty pair", () => {
  let dir: TempDir | undefined;
  let pair: PtyPair | undefined;
  let slave: ModbusSlave | undefined;

  afterEach(async () => {
    await slave?.close();
    await pair?.close();
    await dir?.remove();
  });

  it("answers reads, corrupts CRCs on demand, and reopens the device after it vanished", async () => {
    dir = await createTempDir();
    pair = await createPtyPair({ dir: dir.path, name: "rs485", logger: silentLogger });
    const bus = createBayBus({ units: [1], slotsPerUnit: 2 });
    bus.set(1, 1, true);
    slave = createModbusSlave({ path: pair.simPath, bus, logger: silentLogger, reopenMs: 20 });
    await slave.waitOpen();
    const read = withCrc(Buffer.from([1, 3, 0, 0, 0, 2]));

    const answer = await ask(pair.devicePath, read);
    expect(answer.subarray(0, -2).toString("hex")).toBe("01030400000001");
    expect(crcMatches(answer)).toBe(true);

    slave.corruptNext(1);
    expect(crcMatches(await ask(pair.devicePath, read))).toBe(false);
    expect(crcMatches(await ask(pair.devicePath, read))).toBe(true);

    await pair.close();
    pair = await createPtyPair({ dir: dir.path, name: "rs485", logger: silentLogger });
    await slave.waitOpen(1);
    expect(crcMatches(await ask(pair.devicePath, read))).toBe(true);
    expect(slave.stats()).toMatchObject({ opens: 2, corrupted: 1, answered: 4 });
  });
});
