import type { Logger } from "../logging/create-logger.js";
import { isLoopback } from "../run/loopback.js";
import { loadApiKeys } from "./api-keys-file.js";
import { type ApiKeyVerifier, createApiKeyVerifier } from "./key-verifier.js";

export interface ApiKeySettings {
  apiKeysPath?: string | undefined;
  host: string;
}

/**
 * The verifier of `--api-keys FILE` (read once, at start: restart after `add-api-key`), or
 * undefined without one, with a warning when the REST API is then open beyond this machine.
 */
export function loadApiKeyVerifier(settings: ApiKeySettings, logger: Logger): ApiKeyVerifier | undefined {
  if (settings.apiKeysPath === undefined) {
    if (!isLoopback(settings.host)) {
      logger.warn(
        { host: settings.host },
        "no --api-keys: the REST API answers anyone who can reach this host",
      );
    }
    return undefined;
  }
  const keys = loadApiKeys(settings.apiKeysPath);
  if (keys.length === 0) {
    logger.warn(
      { file: settings.apiKeysPath },
      "the API keys file lists no key: every /v1 request is refused",
    );
  }
  logger.info({ file: settings.apiKeysPath, keys: keys.length }, "REST API keys required on /v1");
  return createApiKeyVerifier({ keys });
}
