import type { Reading } from "@lotwatch/protocol/events.js";
import { createBackoff } from "../../common/backoff.js";
import type { Input, InputFactory } from "../input.js";
import { createRateLimitedLog } from "../rate-limited-log.js";
import type { ModbusRtuConfig } from "./modbus-rtu-config.js";
import type { ReadRequest } from "./rtu-frame.js";
import { openRtuTransport, type RtuTransport } from "./rtu-transport.js";
import { createSlotTracker, type SlotChange } from "./slot-tracker.js";

interface Sensor {
  name: string;
  request: ReadRequest;
  slots: string[];
  timeoutMs: number;
}

/**
 * Bay sensors on an RS-485 bus: each unit is polled in turn every `pollIntervalMs`, and a
 * `slot.state` reading goes out only when a bay changes (and once per bay at start). Timeouts,
 * CRC errors and exceptions are counted per sensor; `offlineAfter` failures in a row mark a sensor
 * offline (log + `sensor_online` metric) until it answers again. A vanished port is reopened with
 * backoff, and every sensor counts as offline meanwhile.
 */
export const createModbusRtuInput: InputFactory<ModbusRtuConfig> = (config, context): Input => {
  const logger = context.logger.child({ input: config.name, source: config.path });
  const warn = createRateLimitedLog({ logger, context: { input: config.name } });
  const sensors: Sensor[] = config.sensors.map((sensor) => ({
    name: sensor.name ?? `unit-${sensor.unit}`,
    request: {
      unit: sensor.unit,
      table: sensor.table ?? config.table,
      address: sensor.address,
      count: sensor.slots.length,
    },
    slots: sensor.slots,
    timeoutMs: sensor.timeoutMs ?? config.timeoutMs,
  }));
  const tracker = createSlotTracker({ offlineAfter: config.offlineAfter });
  const backoff = createBackoff({ initialMs: config.reopenMinMs, maxMs: config.reopenMaxMs });
  const framing = {
    baudRate: config.baudRate,
    parity: config.parity,
    dataBits: config.dataBits,
    stopBits: config.stopBits,
  };
  let stopped = false;
  let running: Promise<void> | null = null;
  let transport: RtuTransport | null = null;
  let cancelSleep: (() => void) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        cancelSleep = null;
        resolve();
      }
      cancelSleep = done;
    });

  async function pollSensor(sensor: Sensor, port: RtuTransport): Promise<void> {
    const result = await port.read(sensor.request, sensor.timeoutMs);
    context.observer.sensorPolled(sensor.name, result.kind);
    if (result.kind === "crc" || result.kind === "frame") context.observer.malformed(result.kind);
    if (result.kind === "exception" || result.kind === "frame") {
      warn(
        { sensor: sensor.name, unit: sensor.request.unit, ...result },
        result.kind === "exception"
          ? "sensor answered with a Modbus exception; check its unit, table and address"
          : "sensor answer does not fit the request",
      );
    }
    const update = tracker.observe(
      sensor.name,
      sensor.slots,
      result.kind === "ok"
        ? { ok: true, occupied: result.values.map((value) => value !== 0) }
        : { ok: false },
    );
    if (update.online !== undefined) {
      context.observer.sensorOnline(sensor.name, update.online);
      if (update.online)
        logger.info({ sensor: sensor.name, unit: sensor.request.unit }, "sensor answers again");
      else {
        logger.warn(
          {
            sensor: sensor.name,
            unit: sensor.request.unit,
            failedPolls: config.offlineAfter,
            last: result.kind,
          },
          "sensor offline: no valid answer",
        );
      }
    }
    if (update.changes.length > 0) await report(update.changes);
  }

  async function report(changes: SlotChange[]): Promise<void> {
    const readings: Reading[] = changes.map((change) => ({ type: "slot.state", ...change }));
    try {
      await context.sink(readings);
      tracker.reported(changes);
    } catch (error) {
      // Not marked reported: the next poll sees the difference again and retries.
      warn(
        { err: error, lost: readings.length },
        "slot states could not be stored; retrying with the next poll",
      );
    }
  }

  async function run(): Promise<void> {
    let outageSince: number | null = null;
    while (!stopped) {
      let lost = false;
      try {
        transport = await openRtuTransport(config.path, framing, (error) => {
          lost = true;
          cancelSleep?.();
          logger.debug({ err: error }, "bus port closed");
        });
      } catch (error) {
        if (outageSince === null) {
          outageSince = Date.now();
          context.observer.outage();
          logger.warn({ err: error }, "bus port unavailable; retrying");
        }
        await sleep(backoff.next());
        continue;
      }
      backoff.reset();
      context.observer.connected(true);
      if (outageSince !== null) logger.info({ downMs: Date.now() - outageSince }, "bus port reopened");
      else logger.info("bus port opened");
      outageSince = null;
      const port = transport;
      while (!stopped && !lost) {
        const cycleStart = Date.now();
        for (const sensor of sensors) {
          if (stopped || lost) break;
          await pollSensor(sensor, port);
        }
        if (!stopped && !lost) await sleep(Math.max(0, config.pollIntervalMs - (Date.now() - cycleStart)));
      }
      await port.close();
      transport = null;
      context.observer.connected(false);
      if (lost && !stopped) {
        outageSince = Date.now();
        context.observer.outage();
        const offline = tracker.busLost();
        for (const sensor of offline) context.observer.sensorOnline(sensor, false);
        logger.warn({ offline }, "bus port went away; its sensors count as offline until it is back");
      }
    }
  }

  return {
    name: config.name,
    type: config.type,
    start() {
      running ??= run();
    },
    async close() {
      stopped = true;
      cancelSleep?.();
      await running;
    },
  };
};
