import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";

/** A LotwatchError with the HTTP status it maps to; `app.onError` renders it. */
export class ApiError extends LotwatchError {
  readonly status: ContentfulStatusCode;
  /** Extra response headers, e.g. `WWW-Authenticate` on a 401. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
    this.status = status;
    this.headers = headers;
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

/** Every error answer: a stable `code` to branch on and a `message` for a person. */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string().describe("stable, e.g. bad_parameter, unknown_site, unauthorized, not_found"),
    message: z.string().describe("what went wrong; a bad parameter's message starts with its name"),
  }),
});

export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
