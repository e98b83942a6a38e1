import pino from "pino";

export type Logger = pino.Logger;

/**
 * JSON logs on stderr, not stdout: the simulator's stdout carries its result (the summary JSON,
 * the pty paths) for scripts to parse. `LOTWATCH_LOG_LEVEL` sets the level (default info).
 */
export function createLogger(component: string): Logger {
  return pino({ level: process.env.LOTWATCH_LOG_LEVEL ?? "info", base: { component } }, pino.destination(2));
}
