import { createInterface } from "node:readline";
import { listenForStop } from "../cli/signals.js";
import { createLogger } from "../log.js";
import { createRandom } from "../random/random.js";
import { createBayBus } from "./bay-bus.js";
import { createModbusSlave } from "./modbus-slave.js";
import type { ModbusSlaveArgs } from "./modbus-slave-args.js";

/** One control line on stdin. */
type Command =
  | { set: { unit: number; address: number; occupied: boolean } }
  | { silent: { unit: number; on: boolean } }
  | { corrupt: number };

/**
 * `lotwatch-sim modbus-slave`: a bus of bay sensors on a pty end. stdout carries JSON lines
 * (`ready`, one `change` per bay flip as ground truth, `stats` at the end); stdin takes control
 * lines: {"set":{"unit":1,"address":0,"occupied":true}}, {"silent":{"unit":2,"on":true}},
 * {"corrupt":3} (the next 3 answers get a bad CRC).
 */
export async function runModbusSlaveCommand(args: ModbusSlaveArgs): Promise<number> {
  const stop = listenForStop();
  const logger = createLogger("modbus-slave");
  const bus = createBayBus({ units: args.units, slotsPerUnit: args.slotsPerUnit });
  const slave = createModbusSlave({ path: args.device, bus, logger });
  const random = createRandom(args.seed);
  const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const change = (unit: number, address: number, occupied: boolean) => {
    if (bus.set(unit, address, occupied)) {
      print({ event: "change", unit, address, occupied, at: new Date().toISOString() });
    }
  };

  const flips =
    args.flipEveryMs > 0
      ? setInterval(() => {
          const unit = random.pick(args.units);
          const address = random.int(0, args.slotsPerUnit - 1);
          change(unit, address, !bus.occupied(unit, address));
          if (random.chance(args.crcErrorRate)) slave.corruptNext(1);
        }, args.flipEveryMs)
      : null;

  const control = createInterface({ input: process.stdin });
  control.on("line", (line) => {
    if (line.trim() === "") return;
    try {
      const command = JSON.parse(line) as Command;
      if ("set" in command) change(command.set.unit, command.set.address, command.set.occupied);
      else if ("silent" in command) bus.setSilent(command.silent.unit, command.silent.on);
      else if ("corrupt" in command) slave.corruptNext(command.corrupt);
      else throw new Error("expected set, silent or corrupt");
    } catch (error) {
      logger.warn({ line, err: error }, "control line ignored");
    }
  });

  try {
    await slave.waitOpen();
    print({ event: "ready", device: args.device, units: args.units, slotsPerUnit: args.slotsPerUnit });
    await new Promise<void>((done) => {
      if (stop.signal.aborted) done();
      stop.signal.addEventListener("abort", () => done(), { once: true });
    });
    return 0;
  } finally {
    if (flips !== null) clearInterval(flips);
    control.close();
    await slave.close();
    print({ event: "stats", ...slave.stats() });
    stop.dispose();
  }
}
