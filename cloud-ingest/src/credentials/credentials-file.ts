import { readFileSync } from "node:fs";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { formatPath } from "@lotwatch/protocol/issues.js";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import { writeSecretFile } from "./secret-file.js";
import { secretHashProblem } from "./secret-hash.js";

const NAME_RULE = "letters, digits, '.', '_' or '-', starting with a letter or digit, at most 64";

const GatewayCredentialSchema = z.strictObject({
  id: z.string().regex(NAME_PATTERN, `gateway id must be ${NAME_RULE}`),
  site: z.string().regex(NAME_PATTERN, `site id must be ${NAME_RULE}`),
  secretHash: z.string().superRefine((value, ctx) => {
    const problem = secretHashProblem(value);
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
  }),
});

const CredentialsFileSchema = z.strictObject({ gateways: z.array(GatewayCredentialSchema) });

/** One gateway allowed to connect: it logs in as `id` and publishes under its `site`. */
export type GatewayCredential = z.infer<typeof GatewayCredentialSchema>;

/** Gateways by id. */
export type GatewayDirectory = ReadonlyMap<string, GatewayCredential>;

/** Reads and validates a credentials file; every problem is a ConfigError naming the file and key. */
export function loadCredentials(file: string): GatewayCredential[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      "gateways_unreadable",
      `${file}: cannot read the gateway credentials (${describe(error)})`,
      {
        cause: error,
      },
    );
  }
  return parseCredentials(text, file);
}

/** Validates credentials YAML (`gateways: [{ id, site, secretHash }]`); `file` names it in messages. */
export function parseCredentials(text: string, file: string): GatewayCredential[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError("gateways_syntax", `${file}: not valid YAML: ${describe(error)}`, { cause: error });
  }
  const parsed = CredentialsFileSchema.safeParse(raw ?? { gateways: [] });
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${file}: ${formatPath("", issue.path)}: ${issue.message}`,
    );
    throw new ConfigError("gateways_invalid", lines.join("; "));
  }
  const seen = new Set<string>();
  parsed.data.gateways.forEach((gateway, index) => {
    if (seen.has(gateway.id)) {
      throw new ConfigError(
        "gateways_invalid",
        `${file}: gateways[${index}].id: gateway "${gateway.id}" is listed twice`,
      );
    }
    seen.add(gateway.id);
  });
  return parsed.data.gateways;
}

export function createGatewayDirectory(gateways: readonly GatewayCredential[]): GatewayDirectory {
  return new Map(gateways.map((gateway) => [gateway.id, gateway]));
}

/** Replaces the file atomically with mode 0600 (see `writeSecretFile`). */
export function writeCredentials(file: string, gateways: readonly GatewayCredential[]): void {
  const text =
    "# lotwatch gateway credentials: secrets are scrypt hashes; add gateways with `lotwatch-ingest add-gateway`\n" +
    stringifyYaml({ gateways: gateways.map(({ id, site, secretHash }) => ({ id, site, secretHash })) });
  try {
    writeSecretFile(file, text);
  } catch (error) {
    throw new ConfigError(
      "gateways_unwritable",
      `${file}: cannot write the gateway credentials (${describe(error)})`,
      {
        cause: error,
      },
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
}
