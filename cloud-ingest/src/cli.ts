#!/usr/bin/env node
import { ConfigError, LotwatchError } from "@lotwatch/protocol/errors.js";
import { CommanderError } from "commander";
import { runAddApiKeyCommand } from "./cli/add-api-key-command.js";
import { runAddGatewayCommand } from "./cli/add-gateway-command.js";
import { runForecastEvalCommand } from "./cli/forecast-eval-command.js";
import { parseCommandLine } from "./cli/parse-command-line.js";
import { createLogger } from "./logging/create-logger.js";
import { type IngestSettings, type RunningIngest, startIngest } from "./run/start-ingest.js";

const SHUTDOWN_TIMEOUT_MS = 10_000;
const logger = createLogger("cli");

function fail(message: string, code: number): never {
  process.stderr.write(`lotwatch-ingest: ${message}\n`);
  process.exit(code);
}

function stopOnSignals(running: RunningIngest): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without waiting");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down: closing the broker, finishing commits");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, "shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

async function main(): Promise<void> {
  if (process.argv[2] === "add-gateway")
    process.exit(await runAddGatewayCommand(process.argv.slice(3), process.env));
  if (process.argv[2] === "add-api-key")
    process.exit(await runAddApiKeyCommand(process.argv.slice(3), process.env));
  if (process.argv[2] === "forecast-eval") process.exit(await runForecastEvalCommand(process.argv.slice(3)));
  let settings: IngestSettings;
  try {
    settings = parseCommandLine(process.argv.slice(2), process.env);
  } catch (error) {
    // commander has already printed help or the usage error.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    throw error;
  }
  stopOnSignals(await startIngest(settings));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) fail(error.message, 2);
  if (error instanceof LotwatchError) fail(`${error.message} [${error.code}]`, 1);
  logger.fatal({ err: error }, "the ingest failed to start");
  process.exit(1);
});
