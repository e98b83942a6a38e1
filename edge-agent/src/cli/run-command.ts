import type { EventEmitter } from "node:events";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { createAgent } from "../agent.js";
import { createLogger } from "../common/logger.js";
import { loadConfig } from "../config/load-config.js";
import { type CliIo, EXIT_CONFIG, EXIT_FAILURE, EXIT_OK } from "./cli-io.js";

export interface RunCommandOptions {
  config: string;
  readyFile?: string;
  /** Where SIGINT/SIGTERM come from; process by default. */
  signals?: EventEmitter;
  /** Longest a graceful stop may take before the agent exits anyway. */
  stopTimeoutMs?: number;
}

/** `lotwatch-agent run --config FILE [--ready-file FILE]`: runs until SIGINT or SIGTERM. */
export async function runCommand(options: RunCommandOptions, io: CliIo): Promise<number> {
  const signals = options.signals ?? process;
  const logger = createLogger("cli");
  let agent: ReturnType<typeof createAgent>;
  let httpUrl: string;
  try {
    agent = createAgent({ config: loadConfig(options.config) });
    ({ httpUrl } = await agent.start());
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return EXIT_CONFIG;
    }
    io.err(`cannot start: ${(error as Error).message}`);
    return EXIT_FAILURE;
  }
  if (options.readyFile !== undefined) writeReadyFile(options.readyFile, { httpUrl, pid: process.pid });

  const signal = await new Promise<string>((resolve) => {
    signals.once("SIGINT", () => resolve("SIGINT"));
    signals.once("SIGTERM", () => resolve("SIGTERM"));
  });
  logger.info({ signal }, "stopping");
  signals.once(signal, () => {
    logger.warn("second signal: exiting without a clean stop");
    process.exit(EXIT_FAILURE);
  });
  const stopped = await Promise.race([
    agent.stop().then(() => true),
    new Promise<false>((resolve) =>
      setTimeout(() => resolve(false), options.stopTimeoutMs ?? 15_000).unref(),
    ),
  ]);
  if (options.readyFile !== undefined) rmSync(options.readyFile, { force: true });
  if (!stopped) {
    io.err("the agent did not stop in time; exiting anyway (the buffer keeps every committed reading)");
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}

/** Written atomically (temp file + rename) so a watcher never reads half a file. */
function writeReadyFile(file: string, content: { httpUrl: string; pid: number }): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content)}\n`);
  renameSync(temporary, file);
}
