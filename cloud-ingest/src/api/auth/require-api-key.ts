import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { ApiKeyVerifier } from "../../api-keys/key-verifier.js";
import { isLoopback } from "../../run/loopback.js";
import { ApiError } from "../errors.js";

export interface RequireApiKeyOptions {
  verifier: ApiKeyVerifier;
  /** Where a query parameter may carry the key instead of the header (the event stream). */
  queryToken?: { param: string; path: RegExp };
  /** Let clients on the ingest's own machine in without a key (`/metrics`). */
  allowLoopback?: boolean;
}

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="lotwatch"' };
const BEARER = /^Bearer\s+(\S+)\s*$/i;

function unauthorized(message: string): ApiError {
  return new ApiError(401, "unauthorized", message, CHALLENGE);
}

/** The peer's address from Node's socket; undefined when there is none (`app.request` in tests). */
function peerAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** Answers 401 `unauthorized` unless the request carries a valid API key (`Authorization: Bearer KEY`). */
export function requireApiKey(options: RequireApiKeyOptions): MiddlewareHandler {
  const { verifier, queryToken } = options;
  return async function requireApiKey(c, next) {
    if (options.allowLoopback) {
      const address = peerAddress(c);
      if (address !== undefined && isLoopback(address)) return next();
    }
    const header = c.req.header("authorization");
    let key: string | undefined;
    if (header !== undefined) {
      key = BEARER.exec(header)?.[1];
      if (key === undefined) throw unauthorized("the Authorization header must be `Bearer KEY`");
    } else if (queryToken?.path.test(c.req.path)) {
      key = c.req.query(queryToken.param);
    }
    if (key === undefined) {
      const alternative = queryToken?.path.test(c.req.path) ? ` (or ?${queryToken.param}=KEY)` : "";
      throw unauthorized(`this endpoint needs an API key: send Authorization: Bearer KEY${alternative}`);
    }
    const check = await verifier.verify(key);
    if (check.ok) return next();
    if (check.reason === "busy") {
      throw new ApiError(503, "busy", "too many new API keys are being checked at once; retry in a second", {
        "Retry-After": "1",
      });
    }
    throw unauthorized("the API key is not valid (unknown, revoked or mistyped)");
  };
}
