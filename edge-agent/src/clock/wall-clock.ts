import type { Logger } from "../common/logger.js";

export const TEST_CLOCK_OFFSET_VARIABLE = "LOTWATCH_TEST_CLOCK_OFFSET_MS";

export interface WallClockOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

/**
 * The agent's wall clock. For fault tests only, `LOTWATCH_TEST_CLOCK_OFFSET_MS` shifts it (a
 * gateway whose clock is wrong), and only when `NODE_ENV=test`, so a stray variable on a real
 * gateway cannot skew the timestamps.
 */
export function createWallClock(options: WallClockOptions = {}): () => Date {
  const env = options.env ?? process.env;
  const raw = env[TEST_CLOCK_OFFSET_VARIABLE];
  if (raw === undefined || raw === "") return () => new Date();
  const offset = Number(raw);
  if (env.NODE_ENV !== "test" || !Number.isFinite(offset)) {
    options.logger?.warn(
      { variable: TEST_CLOCK_OFFSET_VARIABLE, value: raw },
      "ignoring the test clock offset: it needs NODE_ENV=test and a number of milliseconds",
    );
    return () => new Date();
  }
  options.logger?.warn({ offsetMs: offset }, "test build: the wall clock is shifted");
  return () => new Date(Date.now() + offset);
}
