import { Command, CommanderError, Option } from "commander";
import { agentVersion } from "../common/version.js";
import { checkConfigCommand } from "./check-config-command.js";
import { type CliIo, EXIT_FAILURE, processIo } from "./cli-io.js";
import { runCommand } from "./run-command.js";
import { DEFAULT_STATUS_URL, statusCommand } from "./status-command.js";

/** Parses argv (without node and script) and runs one command; resolves with the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command("lotwatch-agent")
    .description("lotwatch gateway agent: sensors → durable SQLite buffer → MQTT")
    .version(agentVersion())
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    });

  program
    .command("run")
    .description("run the agent until SIGINT or SIGTERM")
    .addOption(
      new Option("--config <file>", "agent config file (.yaml, .yml or .json)")
        .env("LOTWATCH_CONFIG")
        .makeOptionMandatory(),
    )
    .option("--ready-file <file>", 'once serving, write {"httpUrl":…,"pid":…} here (atomically)')
    .action(async (options: { config: string; readyFile?: string }) => {
      exitCode = await runCommand(options, io);
    });

  program
    .command("check-config")
    .description('validate a config file; prints "ok: …" or the errors (exit 1)')
    .argument("<file>", "agent config file")
    .action((file: string) => {
      exitCode = checkConfigCommand(file, io);
    });

  program
    .command("status")
    .description("print a running agent's status (GET /v1/status)")
    .option("--url <url>", "the agent's HTTP address", DEFAULT_STATUS_URL)
    .action(async (options: { url: string }) => {
      exitCode = await statusCommand(options.url, io);
    });

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_FAILURE;
    throw error;
  }
  return exitCode;
}
