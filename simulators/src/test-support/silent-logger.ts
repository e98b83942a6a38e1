import pino from "pino";

/** Keeps test output readable; what the code logs is not what these tests check. */
export const silentLogger = pino({ level: "silent" });
