import { type ChildProcess, spawn } from "node:child_process";
import type { Reading } from "@lotwatch/protocol/events.js";
import { createBackoff } from "../../common/backoff.js";
import type { Input, InputFactory } from "../input.js";
import { createLineFramer } from "../line-protocol/line-framer.js";
import { createRateLimitedLog } from "../rate-limited-log.js";
import { type BeamPairOutput, createBeamPair } from "./beam-pair.js";
import type { GpioConfig } from "./gpio-config.js";
import { parseGpiomonLine } from "./gpiomon-line.js";
import { createLoopDetector } from "./loop-detector.js";

/** A detector fed by one or two lines; edges and ticks return the readings they complete. */
interface Detector {
  edge(offset: number, active: boolean, t: number): Reading[];
  tick(t: number): Reading[];
  deadline(): number | null;
}

/** gpiomon has run this long without trouble: an outage is over even before the first edge. */
const STABLE_AFTER_MS = 5000;

/**
 * Timers decide a debounce or gap period only this long after it ended by the clock, so that
 * edges still on their way through gpiomon's pipe are taken into account first.
 */
const LATENESS_MS = 100;

/**
 * Loops and light-beam pairs on GPIO lines, watched by spawning libgpiod v2's `gpiomon` on the chip
 * (the character device; the removed sysfs interface is never used) and parsing its default
 * output. Each detector is a pure state machine over gpiomon's event timestamps; timers only wake
 * it when a debounce or gap period ends. A gpiomon that exits is restarted with backoff.
 */
export const createGpioInput: InputFactory<GpioConfig> = (config, context): Input => {
  const logger = context.logger.child({ input: config.name, chip: config.chip });
  const warn = createRateLimitedLog({ logger, context: { input: config.name } });
  const backoff = createBackoff({ initialMs: config.restartMinMs, maxMs: config.restartMaxMs });
  // gpiomon's clock (monotonic by default) to wall time, re-measured at every line received.
  let clockOffsetMs = 0;
  const wallTime = (t: number) => new Date(t + clockOffsetMs).toISOString();
  const crossing = (door: string, direction: 1 | -1, t: number): Reading => ({
    type: "door.crossing",
    door,
    direction,
    occurredAt: wallTime(t),
  });

  const detectors = new Map<number, Detector>();
  for (const loop of config.loops) {
    const detector = createLoopDetector(config.debounceMs);
    const toReadings = (arrivals: number[]) => arrivals.map((t) => crossing(loop.door, loop.direction, t));
    detectors.set(loop.line, {
      edge: (_offset, active, t) => toReadings(detector.edge(active !== loop.activeLow, t)),
      tick: (t) => toReadings(detector.tick(t)),
      deadline: () => detector.deadline(),
    });
  }
  for (const beams of config.beams) {
    const pair = createBeamPair({
      debounceMs: config.debounceMs,
      gapMs: beams.gapMs,
      maxPassMs: beams.maxPassMs,
    });
    const toReadings = (out: BeamPairOutput) => {
      for (const pass of out.abandoned) {
        logger.debug({ door: beams.door, reason: pass.reason, at: wallTime(pass.at) }, "pass abandoned");
      }
      return out.crossings.map((pass) => crossing(beams.door, pass.direction, pass.at));
    };
    const detector: Detector = {
      edge: (offset, active, t) =>
        toReadings(pair.edge(offset === beams.a ? "a" : "b", active !== beams.activeLow, t)),
      tick: (t) => toReadings(pair.tick(t)),
      deadline: () => pair.deadline(),
    };
    detectors.set(beams.a, detector);
    detectors.set(beams.b, detector);
  }
  const unique = [...new Set(detectors.values())];

  let child: ChildProcess | null = null;
  let stopped = false;
  let wakeTimer: NodeJS.Timeout | null = null;
  let restartTimer: NodeJS.Timeout | null = null;
  let stableTimer: NodeJS.Timeout | null = null;
  let outageSince: number | null = null;
  // The state machines need non-decreasing times; an edge older than a tick already applied is
  // taken as happening at that tick.
  let lastTick = Number.NEGATIVE_INFINITY;

  function deliver(readings: Reading[]): void {
    if (readings.length === 0) return;
    context
      .sink(readings)
      .catch((error: unknown) =>
        warn({ err: error, lost: readings.length }, "crossings could not be stored"),
      );
  }

  function schedule(): void {
    if (wakeTimer !== null) clearTimeout(wakeTimer);
    wakeTimer = null;
    const deadlines = unique.map((detector) => detector.deadline()).filter((t): t is number => t !== null);
    if (deadlines.length === 0 || stopped) return;
    const delay = Math.max(0, Math.min(...deadlines) + clockOffsetMs + LATENESS_MS - Date.now());
    wakeTimer = setTimeout(() => {
      wakeTimer = null;
      const now = Date.now() - clockOffsetMs - LATENESS_MS;
      lastTick = Math.max(lastTick, now);
      deliver(unique.flatMap((detector) => detector.tick(lastTick)));
      schedule();
    }, delay + 1);
  }

  function onLine(line: string): void {
    const parsed = parseGpiomonLine(line);
    if (!parsed.ok || parsed.event.offset === undefined) {
      context.observer.malformed("fields");
      warn(
        { line: line.slice(0, 200), detail: parsed.ok ? "no line offset" : parsed.detail },
        "gpiomon line skipped",
      );
      return;
    }
    const { event } = parsed;
    clockOffsetMs = Date.now() - event.timeMs;
    endOutage();
    const detector = detectors.get(event.offset as number);
    if (detector === undefined) return;
    deliver(detector.edge(event.offset as number, event.edge === "rising", Math.max(event.timeMs, lastTick)));
    schedule();
  }

  function endOutage(): void {
    backoff.reset();
    if (outageSince === null) return;
    logger.info({ downMs: Date.now() - outageSince }, "gpiomon runs again");
    outageSince = null;
  }

  function startGpiomon(): void {
    restartTimer = null;
    const args = ["--chip", config.chip, "--edges", "both"];
    if (config.bias !== undefined) args.push("--bias", config.bias);
    args.push(...[...detectors.keys()].map(String));
    const proc = spawn(config.gpiomon, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    let stderr = "";
    const framer = createLineFramer({
      maxLineLength: 512,
      onLine: (bytes) => onLine(bytes.toString("utf8")),
      onDiscard: (reason) => context.observer.malformed(reason),
    });
    proc.stdout?.on("data", (chunk: Buffer) => framer.push(chunk));
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    proc.once("spawn", () => {
      context.observer.connected(true);
      stableTimer = setTimeout(endOutage, STABLE_AFTER_MS);
    });
    let ended = false;
    const onEnd = (reason: string) => {
      if (ended) return;
      ended = true;
      framer.end();
      if (stableTimer !== null) clearTimeout(stableTimer);
      child = null;
      context.observer.connected(false);
      if (stopped) return;
      const delay = backoff.next();
      if (outageSince === null) {
        outageSince = Date.now();
        context.observer.outage();
        logger.warn(
          { reason, stderr: stderr.trim(), retryInMs: delay, gpiomon: config.gpiomon, args },
          "gpiomon stopped; restarting",
        );
      }
      restartTimer = setTimeout(startGpiomon, delay);
    };
    proc.once("error", (error) => onEnd(error.message));
    proc.once("close", (code, signal) => onEnd(signal === null ? `exit code ${code}` : `signal ${signal}`));
  }

  return {
    name: config.name,
    type: config.type,
    start() {
      if (child === null && restartTimer === null && !stopped) startGpiomon();
    },
    async close() {
      stopped = true;
      for (const timer of [wakeTimer, restartTimer, stableTimer]) if (timer !== null) clearTimeout(timer);
      const proc = child;
      if (proc === null || proc.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      });
    },
  };
};
