import { writeCameraReads } from "../anpr/camera-writer.js";
import { generateAnprReads } from "../anpr/scenario.js";
import type { CameraArgs } from "./camera-args.js";
import { listenForStop } from "./signals.js";

/** occurredAt spacing when --rate 0 sends as fast as possible: simulated time still needs a pace. */
const SIMULATED_RATE_WHEN_UNPACED = 50;

/** `lotwatch-sim camera`: progress on stderr each second, the summary JSON on stdout. */
export async function runCameraCommand(args: CameraArgs): Promise<number> {
  const endless = args.count === 0;
  const reads = generateAnprReads({
    seed: args.seed,
    count: endless ? Number.POSITIVE_INFINITY : args.count,
    startAt: args.startAt ?? new Date(),
    entryLane: args.entryLane,
    exitLane: args.exitLane,
    rate: args.rate > 0 ? args.rate : SIMULATED_RATE_WHEN_UNPACED,
    matchRate: args.matchRate,
    plateFormat: args.plateFormat,
  });
  const stop = listenForStop();
  const total = endless ? "∞" : String(args.count);
  let sent = 0;
  let lastSent = 0;
  let lastTick = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    const perSecond = ((sent - lastSent) * 1000) / (now - lastTick);
    process.stderr.write(`sent ${sent}/${total} reads, ${perSecond.toFixed(1)}/s\n`);
    lastSent = sent;
    lastTick = now;
  }, 1000);

  try {
    const summary = await writeCameraReads({
      devicePath: args.device,
      reads,
      rate: args.rate,
      format: args.format,
      ...(args.log === undefined ? {} : { logPath: args.log }),
      signal: stop.signal,
      onProgress: (progress) => {
        sent = progress.sent;
      },
    });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    // An endless run ends by a signal as planned; a counted run cut short says so in its exit code.
    return endless ? 0 : stop.exitCode();
  } finally {
    clearInterval(ticker);
    stop.dispose();
  }
}
