import type { z } from "zod";

/**
 * Who may call a route when API keys are configured (without keys every route is open):
 * `public` always, `api-key` with `Authorization: Bearer KEY`, `loopback-or-api-key` from the
 * ingest's own machine or with a key.
 */
export type RouteAccess = "public" | "api-key" | "loopback-or-api-key";

export type ErrorStatus = 400 | 401 | 404 | 500 | 503;

export interface ErrorSpec {
  status: ErrorStatus;
  /** The `error.code` values this status carries on this route. */
  codes: readonly string[];
  description: string;
}

export interface ResponseSpec {
  description: string;
  contentType: "application/json" | "text/event-stream" | "text/plain" | "text/html" | "text/javascript";
  /** The body (JSON), or the text's shape for the other content types. */
  schema: z.ZodType;
  /** Server-Sent Events: the `data` of each event name. */
  events?: Readonly<Record<string, z.ZodType>>;
}

/**
 * One route as the OpenAPI document describes it. The same `params` and `query` schemas validate
 * the requests (see `validation/validate.ts`), so the document cannot drift from the checks.
 */
export interface RouteSpec {
  method: "get";
  /** The full path in Hono's syntax, as mounted: `/v1/sites/:site/spaces`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: RouteAccess;
  params?: z.ZodObject;
  query?: z.ZodObject;
  response: ResponseSpec;
  /** The 4xx/5xx answers particular to the route; 401 and 500 are added from `access`. */
  errors: readonly ErrorSpec[];
}

/** Keeps the literal schema types, so handlers get typed `c.req.valid(…)` values. */
export function defineRoute<const T extends RouteSpec>(spec: T): T {
  return spec;
}

/** `/v1/sites/:site/spaces` → `/v1/sites/{site}/spaces`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

export const BAD_PARAMETER: ErrorSpec = {
  status: 400,
  codes: ["bad_parameter"],
  description: "a parameter is malformed or out of range; the message starts with its name",
};

export const UNKNOWN_SITE: ErrorSpec = {
  status: 404,
  codes: ["unknown_site"],
  description: "the site is not in the topology",
};

export const UNKNOWN_SITE_OR_SPACE: ErrorSpec = {
  status: 404,
  codes: ["unknown_site", "unknown_space"],
  description: "the site is not in the topology, or the space not in the site",
};
