import { Command, CommanderError } from "commander";
import { addGateway } from "../credentials/add-gateway.js";

export interface CommandOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

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
  output: CommandOutput = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): Promise<number> {
  const program = new Command("lotwatch-ingest add-gateway")
    .description(
      "Create or update a gateway credentials file: a new secret for the gateway, stored only as an scrypt hash.",
    )
    .option("--gateways <file>", "the credentials file, created if missing (env LOTWATCH_GATEWAYS)")
    .requiredOption("--id <id>", "gateway id: the MQTT username and client id")
    .requiredOption("--site <site>", "the site the gateway publishes for")
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr })
    .exitOverride()
    .showHelpAfterError();
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const flags = program.opts<AddGatewayFlags>();
  const file = flags.gateways ?? env.LOTWATCH_GATEWAYS;
  if (file === undefined || file === "") {
    output.stderr(
      "lotwatch-ingest add-gateway: no credentials file: pass --gateways FILE or set LOTWATCH_GATEWAYS\n",
    );
    return 2;
  }
  const { secret, created } = await addGateway({ file, id: flags.id, site: flags.site });
  output.stdout(`${secret}\n`);
  output.stderr(
    `lotwatch-ingest: ${created ? "added" : "replaced the secret of"} gateway ${flags.id} (site ${flags.site}) ` +
      `in ${file}. The secret above is shown only this once: put it in the gateway's broker.password.\n`,
  );
  return 0;
}
