import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../logging/create-logger.js";
import { ApiError, errorBody } from "./errors.js";

/** The one place errors become responses: `{ error: { code, message } }` with a 4xx/5xx status. */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return function onError(error, c) {
    if (error instanceof ApiError) {
      return c.json(errorBody(error.code, error.message), error.status, { ...error.headers });
    }
    if (error instanceof HTTPException) {
      return c.json(errorBody("http_error", error.message || "request refused"), error.status);
    }
    logger.error({ err: error, path: c.req.path }, "request failed");
    return c.json(errorBody("internal", "the ingest failed to answer; see its log"), 500);
  };
}
