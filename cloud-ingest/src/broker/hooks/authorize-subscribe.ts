import type { Aedes } from "aedes";
import type { GatewayDirectory } from "../../credentials/credentials-file.js";
import type { RefusalReporter } from "../refusals.js";
import { subscribeRefusal } from "./gateway-acl.js";

export type AuthorizeSubscribeHook = Aedes["authorizeSubscribe"];

export interface AuthorizeSubscribeOptions {
  gateways: GatewayDirectory;
  refusals: RefusalReporter;
}

/**
 * With credentials, a gateway may subscribe only inside its own topic prefix. A refused filter is
 * granted 0x80 (failure) in the SUBACK [MQTT-3.9.3]; the connection and its other filters stay.
 */
export function createAuthorizeSubscribe(options: AuthorizeSubscribeOptions): AuthorizeSubscribeHook {
  const { gateways, refusals } = options;
  return function authorizeSubscribe(client, subscription, callback) {
    const reason = subscribeRefusal(gateways.get(client.id), subscription.topic);
    if (reason === null) {
      callback(null, subscription);
      return;
    }
    refusals.refuse(client.id, reason, { topic: subscription.topic });
    callback(null, null);
  };
}
