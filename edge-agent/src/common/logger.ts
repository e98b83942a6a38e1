import { type Logger, pino } from "pino";

export type { Logger } from "pino";

let root: Logger | undefined;

/** A JSON logger to stdout tagged with `component`; `LOTWATCH_LOG_LEVEL` sets the level (default info). */
export function createLogger(component: string): Logger {
  root ??= pino({ level: process.env.LOTWATCH_LOG_LEVEL ?? "info" });
  return root.child({ component });
}

/** A logger that drops everything, for tests and embedders that bring their own. */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}
