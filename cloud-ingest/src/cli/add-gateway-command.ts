import { Command } from "commander";
import { addGateway } from "../credentials/add-gateway.js";
import { type CommandOutput, PROCESS_OUTPUT, parseSecretFileCommand } from "./secret-file-command.js";

interface AddGatewayFlags {
  gateways?: string;
  id: string;
  site: string;
}

/**
 * `lotwatch-ingest add-gateway --gateways FILE --id ID --site SITE`: prints the new secret alone on
 * stdout (so a script can capture it) and what happened on stderr. Resolves with the exit code;
 * throws ConfigError for a bad file or id.
 */
export async function runAddGatewayCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
  output: CommandOutput = PROCESS_OUTPUT,
): Promise<number> {
  const program = new Command("lotwatch-ingest add-gateway")
    .description(
      "Create or update a gateway credentials file: a new secret for the gateway, stored only as an scrypt hash.",
    )
    .option("--gateways <file>", "the credentials file, created if missing (env LOTWATCH_GATEWAYS)")
    .requiredOption("--id <id>", "gateway id: the MQTT username and client id")
    .requiredOption("--site <site>", "the site the gateway publishes for");
  const parsed = parseSecretFileCommand<AddGatewayFlags>(program, argv, env, output, {
    flag: "gateways",
    env: "LOTWATCH_GATEWAYS",
    what: "credentials file",
  });
  if (typeof parsed === "number") return parsed;
  const { flags, file } = parsed;
  const { secret, created } = await addGateway({ file, id: flags.id, site: flags.site });
  output.stdout(`${secret}\n`);
  output.stderr(
    `lotwatch-ingest: ${created ? "added" : "replaced the secret of"} gateway ${flags.id} (site ${flags.site}) ` +
      `in ${file}. The secret above is shown only this once: put it in the gateway's broker.password.\n`,
  );
  return 0;
}
