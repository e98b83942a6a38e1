import type { Aedes, AuthenticateError } from "aedes";
import type { GatewayDirectory } from "../../credentials/credentials-file.js";
import { createSecretCheckQueue, type SecretCheckQueue } from "../../credentials/secret-check-queue.js";
import { type RefusalReason, type RefusalReporter, RefusedError } from "../refusals.js";

export type AuthenticateHook = Aedes["authenticate"];

/**
 * Accepts every client. Used only when no credentials file is configured, in which case the CLI
 * binds the broker to loopback (or the operator passed --insecure).
 */
export function createOpenAuthenticate(): AuthenticateHook {
  return function authenticateAnyone(_client, _username, _password, callback) {
    callback(null, true);
  };
}

export interface CredentialsAuthenticateOptions {
  gateways: GatewayDirectory;
  refusals: RefusalReporter;
  /** Where secrets wait for scrypt; a queue of its own by default. */
  secretChecks?: SecretCheckQueue;
}

/** CONNACK return codes of MQTT 3.1.1 (§3.2.2.3); aedes maps them for MQTT 5 clients. */
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;

/**
 * A gateway logs in with username = its id and password = its secret, and its MQTT client id must
 * equal its id, so the id in its topics, its session and its credentials are one name. Secrets are
 * checked with scrypt on the thread pool, a few at a time (secret-check-queue.ts).
 */
export function createCredentialsAuthenticate(options: CredentialsAuthenticateOptions): AuthenticateHook {
  const { gateways, refusals, secretChecks = createSecretCheckQueue() } = options;
  return function authenticateGateway(client, username, password, callback) {
    const refuse = (reason: RefusalReason, returnCode: number, message: string) => {
      refusals.refuse(client.id || (username ?? "(anonymous)"), reason, { username });
      const error = new RefusedError(reason, message) as RefusedError & AuthenticateError;
      error.returnCode = returnCode as AuthenticateError["returnCode"];
      callback(error, false);
    };
    if (username === undefined || password === undefined) {
      refuse("missing_credentials", BAD_USERNAME_OR_PASSWORD, "a gateway must send its id and secret");
      return;
    }
    const gateway = gateways.get(username);
    if (gateway === undefined) {
      refuse("unknown_gateway", BAD_USERNAME_OR_PASSWORD, `no gateway "${username}" in the credentials file`);
      return;
    }
    if (client.id !== username) {
      refuse(
        "client_id_mismatch",
        IDENTIFIER_REJECTED,
        `client id "${client.id}" differs from the username "${username}"`,
      );
      return;
    }
    secretChecks
      .check(password.toString("utf8"), gateway.secretHash, () => !client.closed)
      .then(
        (matches) => {
          // aedes ignores the answer for a client that has closed.
          if (matches === "gone") callback(null, false);
          else if (matches) callback(null, true);
          else refuse("bad_secret", BAD_USERNAME_OR_PASSWORD, `wrong secret for gateway "${username}"`);
        },
        (error: unknown) => {
          const failure = (error instanceof Error ? error : new Error(String(error))) as AuthenticateError;
          failure.returnCode = 3 as AuthenticateError["returnCode"]; // server unavailable: not the client's fault
          callback(failure, false);
        },
      );
  };
}
