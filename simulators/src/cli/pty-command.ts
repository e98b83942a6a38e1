import { createPtyPair } from "../pty/pty-pair.js";
import { listenForStop } from "./signals.js";

export interface PtyArgs {
  dir: string;
  name: string;
}

/** `lotwatch-sim pty`: prints both paths as one JSON line and keeps the pair until SIGINT/SIGTERM. */
export async function runPtyCommand(args: PtyArgs): Promise<number> {
  const stop = listenForStop();
  try {
    const pair = await createPtyPair({ dir: args.dir, name: args.name });
    process.stdout.write(`${JSON.stringify({ devicePath: pair.devicePath, simPath: pair.simPath })}\n`);
    // The signal may have come while socat was starting; a listener added now would never fire.
    const stopped = stop.signal.aborted
      ? Promise.resolve()
      : new Promise<void>((done) => stop.signal.addEventListener("abort", () => done(), { once: true }));
    await Promise.race([stopped, pair.exited]);
    await pair.close();
    if (stop.received() === undefined) {
      process.stderr.write("error: socat exited on its own; the pty pair is gone (SOCAT_EXITED)\n");
      return 1;
    }
    return 0;
  } finally {
    stop.dispose();
  }
}
