import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A LotwatchError with the HTTP status it maps to; `app.onError` renders it. */
export class ApiError extends LotwatchError {
  readonly status: ContentfulStatusCode;

  constructor(status: ContentfulStatusCode, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

export function unknownSite(site: string): ApiError {
  return new ApiError(404, "unknown_site", `site "${site}" is not in the topology`);
}

export function unknownSpace(site: string, space: string): ApiError {
  return new ApiError(404, "unknown_space", `space "${space}" is not in site "${site}"`);
}

export function badParameter(name: string, problem: string): ApiError {
  return new ApiError(400, "bad_parameter", `${name}: ${problem}`);
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
