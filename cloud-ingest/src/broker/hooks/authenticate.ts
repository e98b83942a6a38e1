import type { Aedes } from "aedes";

export type AuthenticateHook = Aedes["authenticate"];

/**
 * Accepts every client. Used only when no credentials file is configured, in which case the CLI
 * binds the broker to loopback (or the operator passed --insecure). Per-gateway credentials
 * (`--gateways FILE`, scrypt-hashed secrets) replace this hook.
 */
export function createOpenAuthenticate(): AuthenticateHook {
  return function authenticateAnyone(_client, _username, _password, callback) {
    callback(null, true);
  };
}
