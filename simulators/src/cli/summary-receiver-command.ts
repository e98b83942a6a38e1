import { createLogger } from "../log.js";
import { startSummaryReceiver } from "../summary-receiver/summary-receiver.js";
import { parseNumber } from "./bad-argument.js";
import { listenForStop } from "./signals.js";

/** The options of `lotwatch-sim summary-receiver` as commander hands them over: strings. */
export interface RawSummaryReceiverArgs {
  out: string;
  port: string;
  host: string;
  failFirst: string;
}

export const SUMMARY_RECEIVER_DEFAULTS = { port: "0", host: "127.0.0.1", failFirst: "0" } as const;

/**
 * `lotwatch-sim summary-receiver`: prints `{"url": …}` as one JSON line once listening, appends
 * what it receives to --out, and stops on SIGINT/SIGTERM.
 */
export async function runSummaryReceiverCommand(raw: RawSummaryReceiverArgs): Promise<number> {
  const port = parseNumber(
    "--port",
    raw.port,
    (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
    "a port from 0 to 65535",
  );
  const failFirst = parseNumber(
    "--fail-first",
    raw.failFirst,
    (n) => Number.isSafeInteger(n) && n >= 0,
    "an integer ≥ 0",
  );
  const stop = listenForStop();
  try {
    const receiver = await startSummaryReceiver({
      out: raw.out,
      port,
      host: raw.host,
      failFirst,
      logger: createLogger("summary-receiver"),
    });
    process.stdout.write(`${JSON.stringify({ url: receiver.url })}\n`);
    if (!stop.signal.aborted) {
      await new Promise<void>((done) => stop.signal.addEventListener("abort", () => done(), { once: true }));
    }
    await receiver.close();
    return 0;
  } finally {
    stop.dispose();
  }
}
