import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEventBuffer } from "../../buffer/event-buffer.js";
import type { EventBuffer } from "../../buffer/types.js";
import { createSilentLogger } from "../../common/logger.js";
import { createCleanups } from "../../test-support/cleanups.js";
import { startModbusSlaveSim } from "../../test-support/modbus-slave-sim.js";
import { startPtyPair } from "../../test-support/pty-pair.js";
import { createRecordingObserver } from "../../test-support/recording-observer.js";
import { createTempDir, type TempDir } from "../../test-support/temp-dir.js";
import { waitFor } from "../../test-support/test-broker.js";
import { ModbusRtuConfigSchema } from "./modbus-rtu-config.js";
import { createModbusRtuInput } from "./modbus-rtu-input.js";

describe("modbus-rtu input over a pty pair, with lotwatch-sim modbus-slave on the other end", () => {
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

  const states = () =>
    buffer.peek(0, 1000, 1_000_000).map((event) => {
      const { slot, occupied } = JSON.parse(event.json) as { slot: string; occupied: boolean };
      return `${slot}=${occupied ? 1 : 0}`;
    });

  it("emits slot states on change only, counts CRC errors and silence per sensor, and survives an unplug", async () => {
    let pty = await startPtyPair(dir.path);
    cleanups.add(() => pty.kill());
    const sim = await startModbusSlaveSim(`${dir.path}/b`, ["--units", "1-3", "--slots-per-unit", "2"]);
    cleanups.add(() => sim.stop());
    const observer = createRecordingObserver();
    const config = ModbusRtuConfigSchema.parse({
      type: "modbus-rtu",
      path: pty.devicePath,
      baudRate: 19200,
      pollIntervalMs: 50,
      // Generous for a loaded CI machine: a late answer would be a timeout and spoil the counts.
      timeoutMs: 300,
      offlineAfter: 2,
      reopenMinMs: 50,
      reopenMaxMs: 200,
      sensors: [
        { unit: 1, slots: ["A1", "A2"] },
        { unit: 2, table: "input", slots: ["B1", "B2"] },
        { unit: 3, name: "coils-3", table: "coil", slots: ["C1", "C2"] },
      ],
    });
    const input = createModbusRtuInput(
      { ...config, name: "bus0" },
      {
        sink: async (readings) => void (await buffer.accept(readings)),
        logger: createSilentLogger(),
        observer,
      },
    );
    cleanups.add(() => input.close());
    input.start();

    await waitFor(() => buffer.depth() === 6, "the first state of all six bays");
    expect(states()).toEqual(["A1=0", "A2=0", "B1=0", "B2=0", "C1=0", "C2=0"]);
    // Several poll cycles without a change emit nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(buffer.depth()).toBe(6);

    sim.control({ set: { unit: 1, address: 1, occupied: true } });
    sim.control({ set: { unit: 3, address: 0, occupied: true } });
    await waitFor(() => buffer.depth() === 8, "two changes");
    expect(states().slice(6).sort()).toEqual(["A2=1", "C1=1"]);

    // Corrupted answers are counted as CRC errors, not taken for states; one bad answer in a row
    // does not take a sensor offline.
    sim.control({ corrupt: 3 });
    await waitFor(() => (observer.malformedCounts.crc ?? 0) >= 3, "three CRC errors");
    expect(
      Object.fromEntries(Object.entries(observer.polls).map(([sensor, counts]) => [sensor, counts.crc])),
    ).toEqual({
      "unit-1": 1,
      "unit-2": 1,
      "coils-3": 1,
    });

    await new Promise((resolve) => setTimeout(resolve, 200));

    // A silent unit goes offline after two failed polls and comes back; the others stay online.
    sim.control({ silent: { unit: 2, on: true } });
    await waitFor(() => observer.online["unit-2"]?.at(-1) === false, "unit 2 offline");
    expect(observer.polls["unit-2"]?.timeout).toBeGreaterThanOrEqual(2);
    sim.control({ set: { unit: 2, address: 0, occupied: true } });
    sim.control({ silent: { unit: 2, on: false } });
    await waitFor(() => observer.online["unit-2"]?.at(-1) === true, "unit 2 back");
    await waitFor(() => buffer.depth() === 9, "the change made while unit 2 was silent");
    expect(states()[8]).toBe("B1=1");
    expect(observer.online["unit-1"]).toBeUndefined();

    // Unplug: the pty vanishes; every sensor goes offline, once, and the port is reopened.
    await pty.kill();
    await waitFor(() => !observer.up && observer.outages === 1, "the outage");
    expect(observer.online["unit-1"]).toEqual([false]);
    sim.control({ set: { unit: 1, address: 0, occupied: true } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(observer.outages).toBe(1);
    pty = await startPtyPair(dir.path);
    await waitFor(() => observer.up && observer.opens === 2, "the port to reopen", 5000);
    await waitFor(() => buffer.depth() === 10, "the change made while unplugged");
    expect(states()[9]).toBe("A1=1");
    await waitFor(() => observer.online["unit-1"]?.at(-1) === true, "unit 1 back online");
    expect(observer.malformedCounts.crc).toBe(3);
  }, 30_000);
});
