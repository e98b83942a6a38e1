import { constants, openSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ReadStream } from "node:tty";
import type { Logger } from "../log.js";
import { type DeviceWriter, openDeviceWriter } from "../pty/device-writer.js";
import type { BayBus } from "./bay-bus.js";
import { createRequestSplitter } from "./rtu-frames.js";

export interface ModbusSlaveOptions {
  /** The simulator's end of a pty pair (`lotwatch-sim pty … ` prints it as simPath). */
  path: string;
  bus: BayBus;
  logger: Logger;
  /** Pause between attempts to open the device while it is missing. Default 50 ms. */
  reopenMs?: number;
}

export interface ModbusSlaveStats {
  requests: number;
  answered: number;
  /** Answers sent with a deliberately wrong CRC. */
  corrupted: number;
  /** Bytes skipped because no valid request frame started there. */
  noiseBytes: number;
  /** Times the device was opened (more than 1 after the pty went away and came back). */
  opens: number;
}

export interface ModbusSlave {
  /** Sends the next `count` answers with a flipped CRC byte, as line noise would. */
  corruptNext(count: number): void;
  /** Resolves once the device is open (again, when `opens` is past `after`). */
  waitOpen(after?: number): Promise<void>;
  stats(): ModbusSlaveStats;
  close(): Promise<void>;
}

/**
 * A Modbus RTU slave on a pty end, answering for every unit of a bay bus. Hand-rolled rather than
 * modbus-serial's ServerSerial so that faults can be injected byte by byte (corrupted CRCs, silent
 * units), and so that it survives its device vanishing: it reopens the path until it is back.
 */
export function createModbusSlave(options: ModbusSlaveOptions): ModbusSlave {
  const stats: ModbusSlaveStats = { requests: 0, answered: 0, corrupted: 0, noiseBytes: 0, opens: 0 };
  const logger = options.logger;
  let corruptBudget = 0;
  let stopped = false;
  let reader: ReadStream | null = null;
  let writer: DeviceWriter | null = null;
  let closed: Promise<void> = Promise.resolve();
  const openWaiters: Array<() => void> = [];

  async function respond(frame: Buffer, device: DeviceWriter): Promise<void> {
    stats.requests++;
    const answer = options.bus.answer(frame);
    if (answer === null) return;
    if (corruptBudget > 0) {
      corruptBudget--;
      stats.corrupted++;
      answer[answer.length - 1] = (answer[answer.length - 1] ?? 0) ^ 0xff;
    }
    try {
      await device.write(answer);
      stats.answered++;
    } catch (error) {
      logger.debug({ err: error }, "answer not sent: the device went away");
    }
  }

  async function openOnce(): Promise<boolean> {
    let fd: number;
    try {
      fd = openSync(options.path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    } catch {
      return false;
    }
    const device = await openDeviceWriter(options.path);
    const stream = new ReadStream(fd);
    const splitter = createRequestSplitter(
      (frame) => void respond(frame, device),
      (bytes) => {
        stats.noiseBytes += bytes;
      },
    );
    reader = stream;
    writer = device;
    closed = new Promise<void>((resolve) => {
      const gone = () => {
        stream.removeAllListeners("data");
        resolve();
      };
      stream.once("end", gone);
      stream.once("error", gone);
      stream.once("close", gone);
    });
    stream.on("data", (chunk: Buffer) => splitter.push(chunk));
    stats.opens++;
    for (const wake of openWaiters.splice(0)) wake();
    logger.info({ path: options.path, opens: stats.opens }, "modbus slave listening");
    return true;
  }

  async function run(): Promise<void> {
    while (!stopped) {
      if (!(await openOnce())) {
        await sleep(options.reopenMs ?? 50);
        continue;
      }
      await closed;
      reader?.destroy();
      await writer?.close().catch(() => undefined);
      reader = null;
      writer = null;
      if (!stopped) logger.warn({ path: options.path }, "device went away; reopening when it is back");
    }
  }
  const running = run();

  return {
    corruptNext(count) {
      corruptBudget += count;
    },
    waitOpen(after = 0) {
      if (stats.opens > after) return Promise.resolve();
      return new Promise((resolve) => {
        const check = () => (stats.opens > after ? resolve() : openWaiters.push(check));
        openWaiters.push(check);
      });
    },
    stats: () => ({ ...stats }),
    async close() {
      stopped = true;
      reader?.destroy();
      await running;
    },
  };
}
