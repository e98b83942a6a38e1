import { existsSync } from "node:fs";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { hashSecret, type ScryptParams } from "../credentials/secret-hash.js";
import { newApiKey } from "./api-key-format.js";
import { type ApiKeyEntry, loadApiKeys, writeApiKeys } from "./api-keys-file.js";

export interface AddApiKeyOptions {
  file: string;
  name: string;
  /** Test seam: cheaper scrypt parameters. */
  scrypt?: ScryptParams;
}

export interface AddApiKeyResult {
  /** The new key in clear: show it once, it is stored only as a hash. */
  key: string;
  /** False when a key of that name existed and was replaced (the old key stops working). */
  created: boolean;
}

/** Creates the API keys file or updates it with a new key for `name`. */
export async function addApiKey(options: AddApiKeyOptions): Promise<AddApiKeyResult> {
  const { file, name } = options;
  if (!NAME_PATTERN.test(name)) {
    throw new ConfigError(
      "bad_argument",
      `--name "${name}": use letters, digits, '.', '_' or '-', starting with a letter or digit, at most 64`,
    );
  }
  const keys = existsSync(file) ? loadApiKeys(file) : [];
  const key = newApiKey(name);
  const entry: ApiKeyEntry = { name, keyHash: await hashSecret(key, options.scrypt) };
  const index = keys.findIndex((existing) => existing.name === name);
  if (index === -1) keys.push(entry);
  else keys[index] = entry;
  writeApiKeys(file, keys);
  return { key, created: index === -1 };
}
