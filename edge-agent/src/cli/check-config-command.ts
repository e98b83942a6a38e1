import { ConfigError } from "@lotwatch/protocol/errors.js";
import { loadConfig } from "../config/load-config.js";
import { readTlsFiles } from "../forward/client-options.js";
import { type CliIo, EXIT_FAILURE, EXIT_OK } from "./cli-io.js";
import { describeConfig } from "./describe-config.js";

/** `lotwatch-agent check-config FILE`: validates the file (with env overrides) without starting anything. */
export function checkConfigCommand(file: string, io: CliIo, env: NodeJS.ProcessEnv = process.env): number {
  try {
    const config = loadConfig(file, { env });
    readTlsFiles(config.broker);
    const [headline, ...details] = describeConfig(config);
    io.out(`ok: ${headline}`);
    for (const line of details) io.out(line);
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of error.message.split("\n")) io.err(line);
    return EXIT_FAILURE;
  }
}
