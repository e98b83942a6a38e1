import { ConfigError } from "@lotwatch/protocol/errors.js";
import type { Input, InputFactory } from "../input.js";
import { createRateLimitedLog } from "../rate-limited-log.js";
import { parseCameraBody } from "./camera-body.js";
import type { CameraHttpConfig } from "./camera-http-config.js";
import type { PushEndpoint } from "./push-endpoints.js";

/**
 * A camera that POSTs its reads to `/v1/lanes/{lane}/reads`. It registers with the agent's push
 * endpoints while started; the route authenticates and bounds the body, this input parses it and
 * resolves only once the readings are committed, so the camera's 202 means "stored".
 */
export const createCameraHttpInput: InputFactory<CameraHttpConfig> = (config, context): Input => {
  const endpoints = context.pushEndpoints;
  if (endpoints === undefined) {
    throw new ConfigError("NO_HTTP", `input ${config.name}: camera-http needs the agent's HTTP server`);
  }
  const logger = context.logger.child({ input: config.name, lane: config.lane });
  const warn = createRateLimitedLog({ logger, context: { input: config.name } });
  let unregister: (() => void) | null = null;

  const endpoint: PushEndpoint = {
    input: config.name,
    lane: config.lane,
    token: config.token,
    maxBodyBytes: config.maxBodyBytes,
    async handle(body) {
      const parsed = parseCameraBody(body, {
        lane: config.lane,
        direction: config.direction,
        maxReads: config.maxReadsPerRequest,
      });
      if (!parsed.ok) {
        context.observer.malformed("schema");
        warn({ reason: "schema", detail: parsed.message }, "camera read refused");
        return { ok: false, status: 400, code: parsed.code, message: parsed.message };
      }
      if (parsed.readings.length > 0) await context.sink(parsed.readings);
      return { ok: true, accepted: parsed.readings.length };
    },
    refused(reason) {
      context.observer.malformed(reason);
      warn({ reason }, "camera request refused");
    },
  };

  return {
    name: config.name,
    type: config.type,
    start() {
      if (unregister !== null) return;
      unregister = endpoints.register(endpoint);
      context.observer.connected(true);
    },
    async close() {
      unregister?.();
      unregister = null;
      context.observer.connected(false);
    },
  };
};
