import { z } from "zod";
import { ErrorBodySchema } from "../errors.js";
import { type ErrorSpec, openApiPath, type RouteSpec } from "./route-spec.js";

type JsonSchema = Record<string, unknown>;

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: OpenApiInfo;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters: Parameter[];
  responses: Record<string, JsonSchema>;
}

interface Parameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

const ERROR_REF = { $ref: "#/components/schemas/Error" };

const UNAUTHORIZED: ErrorSpec = {
  status: 401,
  codes: ["unauthorized"],
  description: "API keys are configured and the request has no valid `Authorization: Bearer KEY`",
};
const BUSY: ErrorSpec = {
  status: 503,
  codes: ["busy"],
  description: "too many new API keys are being checked at once; retry in a second",
};
const INTERNAL: ErrorSpec = { status: 500, codes: ["internal"], description: "the ingest failed to answer" };

/** An OpenAPI 3.1 document of `routes`, their schemas converted with zod's `z.toJSONSchema`. */
export function buildOpenApiDocument(routes: readonly RouteSpec[], info: OpenApiInfo): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      schemas: { Error: toJsonSchema(ErrorBodySchema, "output") },
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description:
            "Required only when the ingest runs with --api-keys (or LOTWATCH_API_KEYS); keys are made with `lotwatch-ingest add-api-key`.",
        },
      },
    },
  };
}

function operation(route: RouteSpec): Operation {
  const guarded = route.access !== "public";
  const errors = [...route.errors, ...(guarded ? [UNAUTHORIZED, BUSY] : []), INTERNAL];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [route.tag],
    security: !guarded ? [] : route.access === "api-key" ? [{ apiKey: [] }] : [{}, { apiKey: [] }],
    parameters: [...parameters(route.params, "path"), ...parameters(route.query, "query")],
    responses: { "200": success(route), ...errorResponses(errors) },
  };
}

function success(route: RouteSpec): JsonSchema {
  const { response } = route;
  const media: JsonSchema = { schema: toJsonSchema(response.schema, "output") };
  if (response.events !== undefined) {
    media["x-events"] = Object.fromEntries(
      Object.entries(response.events).map(([name, schema]) => [name, toJsonSchema(schema, "output")]),
    );
  }
  return { description: response.description, content: { [response.contentType]: media } };
}

/** One response per status; several specs with the same status are merged. */
function errorResponses(errors: readonly ErrorSpec[]): Record<string, JsonSchema> {
  const byStatus = new Map<number, string[]>();
  for (const error of errors) {
    const lines = byStatus.get(error.status) ?? [];
    lines.push(`${error.codes.map((code) => `\`${code}\``).join(", ")}: ${error.description}`);
    byStatus.set(error.status, lines);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, lines]) => [
      String(status),
      { description: lines.join("; "), content: { "application/json": { schema: ERROR_REF } } },
    ]),
  );
}

function parameters(schema: z.ZodObject | undefined, location: "path" | "query"): Parameter[] {
  if (schema === undefined) return [];
  const json = toJsonSchema(schema, "input");
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

/** Requests are described as sent (`input`: text before parsing), answers as produced (`output`). */
function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}
