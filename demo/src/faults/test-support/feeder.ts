import { createServer, type Socket } from "node:net";

export interface FeederOptions {
  /** Readings per second; 0 = as fast as the agent takes them. */
  rate: number;
  /** Stop after writing this many lines (default: no limit). */
  limit?: number;
}

/**
 * A serial-to-TCP converter in a test: the agent's `tcp-serial` input connects here and gets
 * door-crossing readings as JSON lines. Only the newest connection is fed, so after an agent
 * restart the readings continue on the new one. What was written to a connection that then died is
 * lost on purpose: the ground truth of what the agent accepted is its own buffer, not this count.
 */
export interface Feeder {
  readonly port: number;
  /** Starts (or resumes) writing. A feeder starts paused. */
  start(): void;
  /** Stops writing; the connection stays open. */
  pause(): void;
  /** Lines written to some connection so far. */
  written(): number;
  /** Connections the agent made so far. */
  connections(): number;
  close(): Promise<void>;
}

const LINES = [
  `${JSON.stringify({ type: "door.crossing", door: "door-1", direction: 1 })}\n`,
  `${JSON.stringify({ type: "door.crossing", door: "door-1", direction: -1 })}\n`,
];
/** Lines per write when unpaced, and the pacing tick: large enough for thousands per second. */
const UNPACED_CHUNK = 500;
const TICK_MS = 10;

export async function startFeeder(options: FeederOptions): Promise<Feeder> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let socket: Socket | null = null;
  let connections = 0;
  let written = 0;
  let running = false;
  let waitingForDrain = false;
  let timer: NodeJS.Timeout | null = null;
  let lastTick = performance.now();
  let credit = 0;

  const server = createServer((connection) => {
    connections++;
    socket?.destroy();
    socket = connection;
    connection.on("error", () => {});
    connection.on("data", () => {});
    connection.once("close", () => {
      if (socket === connection) socket = null;
      waitingForDrain = false;
    });
    credit = 0;
    lastTick = performance.now();
    schedule(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the feeder has no TCP address");

  function schedule(delayMs: number): void {
    if (timer === null) timer = setTimeout(feed, delayMs);
  }

  function lines(count: number): string {
    let text = "";
    for (let i = 0; i < count; i++) text += LINES[(written + i) % 2];
    return text;
  }

  function feed(): void {
    timer = null;
    const target = socket;
    if (!running || target === null || waitingForDrain || written >= limit) return;
    let count = UNPACED_CHUNK;
    if (options.rate > 0) {
      const now = performance.now();
      // Credit for at most a tenth of a second: a pause or a reconnect does not turn into a burst.
      credit = Math.min(credit + ((now - lastTick) * options.rate) / 1000, options.rate / 10);
      lastTick = now;
      count = Math.floor(credit);
      credit -= count;
    }
    count = Math.min(count, limit - written);
    const flowing = count === 0 || target.write(lines(count));
    written += count;
    if (!flowing) {
      waitingForDrain = true;
      target.once("drain", () => {
        waitingForDrain = false;
        schedule(0);
      });
      return;
    }
    schedule(options.rate > 0 ? TICK_MS : 0);
  }

  return {
    port: address.port,
    start() {
      running = true;
      credit = 0;
      lastTick = performance.now();
      schedule(0);
    },
    pause() {
      running = false;
    },
    written: () => written,
    connections: () => connections,
    close() {
      running = false;
      if (timer !== null) clearTimeout(timer);
      socket?.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
