import { type Command, CommanderError } from "commander";

export interface CommandOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const PROCESS_OUTPUT: CommandOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export interface SecretFileOption {
  /** The commander flag holding the file, e.g. `gateways` for `--gateways`. */
  flag: string;
  /** The environment variable read when the flag is absent. */
  env: string;
  /** What the file is, for the error: "credentials file". */
  what: string;
}

/**
 * Parses a subcommand that writes one secrets file: the flags and the file, or the exit code to
 * return (0 after --help, 2 for a usage error or a missing file, reported on stderr).
 */
export function parseSecretFileCommand<Flags extends object>(
  program: Command,
  argv: string[],
  env: NodeJS.ProcessEnv,
  output: CommandOutput,
  option: SecretFileOption,
): { flags: Flags; file: string } | number {
  program
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr })
    .exitOverride()
    .showHelpAfterError();
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const flags = program.opts<Flags>();
  const file = (flags as Record<string, string | undefined>)[option.flag] ?? env[option.env];
  if (file === undefined || file === "") {
    const flag = option.flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    output.stderr(`${program.name()}: no ${option.what}: pass --${flag} FILE or set ${option.env}\n`);
    return 2;
  }
  return { flags, file };
}
