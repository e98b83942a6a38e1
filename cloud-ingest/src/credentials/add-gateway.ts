import { existsSync } from "node:fs";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { type GatewayCredential, loadCredentials, writeCredentials } from "./credentials-file.js";
import { hashSecret, newSecret, type ScryptParams } from "./secret-hash.js";

export interface AddGatewayOptions {
  file: string;
  id: string;
  site: string;
  /** Test seam: cheaper scrypt parameters. */
  scrypt?: ScryptParams;
}

export interface AddGatewayResult {
  /** The new secret in clear: show it once, it is stored only as a hash. */
  secret: string;
  /** False when the gateway existed and got a new secret (and site). */
  created: boolean;
}

/** Creates the credentials file or updates it: a new secret for `id`, whose old secret stops working. */
export async function addGateway(options: AddGatewayOptions): Promise<AddGatewayResult> {
  const { file, id, site } = options;
  for (const [name, value] of [
    ["--id", id],
    ["--site", site],
  ] as const) {
    if (!NAME_PATTERN.test(value)) {
      throw new ConfigError(
        "bad_argument",
        `${name} "${value}": use letters, digits, '.', '_' or '-', starting with a letter or digit, at most 64`,
      );
    }
  }
  const gateways = existsSync(file) ? loadCredentials(file) : [];
  const secret = newSecret();
  const entry: GatewayCredential = { id, site, secretHash: await hashSecret(secret, options.scrypt) };
  const index = gateways.findIndex((gateway) => gateway.id === id);
  if (index === -1) gateways.push(entry);
  else gateways[index] = entry;
  writeCredentials(file, gateways);
  return { secret, created: index === -1 };
}
