import { Command } from "commander";
import { addApiKey } from "../api-keys/add-api-key.js";
import { type CommandOutput, PROCESS_OUTPUT, parseSecretFileCommand } from "./secret-file-command.js";

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
  output: CommandOutput = PROCESS_OUTPUT,
): Promise<number> {
  const program = new Command("lotwatch-ingest add-api-key")
    .description("Create or update a REST API keys file: a new key for NAME, stored only as an scrypt hash.")
    .option("--api-keys <file>", "the API keys file, created if missing (env LOTWATCH_API_KEYS)")
    .requiredOption("--name <name>", "who or what uses the key, e.g. dashboard or billing");
  const parsed = parseSecretFileCommand<AddApiKeyFlags>(program, argv, env, output, {
    flag: "apiKeys",
    env: "LOTWATCH_API_KEYS",
    what: "API keys file",
  });
  if (typeof parsed === "number") return parsed;
  const { flags, file } = parsed;
  const { key, created } = await addApiKey({ file, name: flags.name });
  output.stdout(`${key}\n`);
  output.stderr(
    `lotwatch-ingest: ${created ? "added" : "replaced"} API key ${flags.name} in ${file}. ` +
      "The key above is shown only this once; send it as Authorization: Bearer KEY. Restart the ingest to use it.\n",
  );
  return 0;
}
