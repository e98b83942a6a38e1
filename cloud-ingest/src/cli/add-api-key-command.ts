import { Command, CommanderError } from "commander";
import { addApiKey } from "../api-keys/add-api-key.js";
import type { CommandOutput } from "./add-gateway-command.js";

interface AddApiKeyFlags {
  apiKeys?: string;
  name: string;
}

/**
 * `lotwatch-ingest add-api-key --api-keys FILE --name NAME`: prints the new key alone on stdout
 * (so a script can capture it) and what happened on stderr. Resolves with the exit code; throws
 * ConfigError for a bad file or name.
 */
export async function runAddApiKeyCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
  output: CommandOutput = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): Promise<number> {
  const program = new Command("lotwatch-ingest add-api-key")
    .description("Create or update a REST API keys file: a new key for NAME, stored only as an scrypt hash.")
    .option("--api-keys <file>", "the API keys file, created if missing (env LOTWATCH_API_KEYS)")
    .requiredOption("--name <name>", "who or what uses the key, e.g. dashboard or billing")
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr })
    .exitOverride()
    .showHelpAfterError();
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const flags = program.opts<AddApiKeyFlags>();
  const file = flags.apiKeys ?? env.LOTWATCH_API_KEYS;
  if (file === undefined || file === "") {
    output.stderr(
      "lotwatch-ingest add-api-key: no API keys file: pass --api-keys FILE or set LOTWATCH_API_KEYS\n",
    );
    return 2;
  }
  const { key, created } = await addApiKey({ file, name: flags.name });
  output.stdout(`${key}\n`);
  output.stderr(
    `lotwatch-ingest: ${created ? "added" : "replaced"} API key ${flags.name} in ${file}. ` +
      "The key above is shown only this once; send it as Authorization: Bearer KEY. Restart the ingest to use it.\n",
  );
  return 0;
}
