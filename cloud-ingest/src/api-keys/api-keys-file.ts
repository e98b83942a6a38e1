import { readFileSync } from "node:fs";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { formatPath } from "@lotwatch/protocol/issues.js";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import { writeSecretFile } from "../credentials/secret-file.js";
import { secretHashProblem } from "../credentials/secret-hash.js";

const ApiKeySchema = z.strictObject({
  name: z
    .string()
    .regex(
      NAME_PATTERN,
      "key name must be letters, digits, '.', '_' or '-', starting with a letter or digit, at most 64",
    ),
  keyHash: z.string().superRefine((value, ctx) => {
    const problem = secretHashProblem(value);
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
  }),
});

const ApiKeysFileSchema = z.strictObject({ apiKeys: z.array(ApiKeySchema) });

/** One API key allowed to read the REST API: a name for people and logs, and the key's scrypt hash. */
export type ApiKeyEntry = z.infer<typeof ApiKeySchema>;

/** Reads and validates an API keys file; every problem is a ConfigError naming the file and key. */
export function loadApiKeys(file: string): ApiKeyEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError("api_keys_unreadable", `${file}: cannot read the API keys (${describe(error)})`, {
      cause: error,
    });
  }
  return parseApiKeys(text, file);
}

/**
 * Validates API keys YAML or JSON: `apiKeys: [{ name, keyHash }]`, or the list alone. `file` names
 * it in messages.
 */
export function parseApiKeys(text: string, file: string): ApiKeyEntry[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError("api_keys_syntax", `${file}: not valid YAML or JSON: ${describe(error)}`, {
      cause: error,
    });
  }
  const bareList = Array.isArray(raw);
  const parsed = ApiKeysFileSchema.safeParse(bareList ? { apiKeys: raw } : (raw ?? { apiKeys: [] }));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const path = bareList ? issue.path.slice(1) : issue.path;
      return `${file}: ${formatPath("", path)}: ${issue.message}`;
    });
    throw new ConfigError("api_keys_invalid", lines.join("; "));
  }
  const seen = new Set<string>();
  parsed.data.apiKeys.forEach((key, index) => {
    if (seen.has(key.name)) {
      const path = bareList ? `[${index}]` : `apiKeys[${index}]`;
      throw new ConfigError("api_keys_invalid", `${file}: ${path}.name: key "${key.name}" is listed twice`);
    }
    seen.add(key.name);
  });
  return parsed.data.apiKeys;
}

/** Replaces the file atomically with mode 0600, as `apiKeys: [{ name, keyHash }]`. */
export function writeApiKeys(file: string, keys: readonly ApiKeyEntry[]): void {
  const text =
    "# lotwatch REST API keys: scrypt hashes only; add keys with `lotwatch-ingest add-api-key`\n" +
    stringifyYaml({ apiKeys: keys.map(({ name, keyHash }) => ({ name, keyHash })) });
  try {
    writeSecretFile(file, text);
  } catch (error) {
    throw new ConfigError("api_keys_unwritable", `${file}: cannot write the API keys (${describe(error)})`, {
      cause: error,
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
}
