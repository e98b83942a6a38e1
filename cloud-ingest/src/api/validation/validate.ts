import { validator } from "hono/validator";
import { z } from "zod";
import { badParameter } from "../errors.js";

/** Where a route's parameters come from: the path (`/:site`) or the query string. */
export type ParameterTarget = "param" | "query";

/**
 * Validates a route's path or query parameters with the zod schema its OpenAPI entry is built
 * from; the handler reads the parsed values with `c.req.valid(target)`. A failure is a 400
 * `bad_parameter` whose message starts with the parameter's name.
 */
export function validate<T extends ParameterTarget, S extends z.ZodType>(target: T, schema: S) {
  return validator(target, (value): z.output<S> => parseParameters(schema, value));
}

/** Parses `values` (name → text, or a list when a query parameter is repeated) or throws 400. */
export function parseParameters<S extends z.ZodType>(
  schema: S,
  values: Record<string, unknown>,
): z.output<S> {
  for (const [name, value] of Object.entries(values)) {
    if (Array.isArray(value)) throw badParameter(name, `is given ${value.length} times; give it once`);
  }
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw badParameter("query", "is not valid");
  if (issue.code === "unrecognized_keys") {
    const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    const takes = known.length === 0 ? "it takes none" : `it takes ${known.join(", ")}`;
    throw badParameter(issue.keys[0] ?? "query", `is not a parameter of this endpoint; ${takes}`);
  }
  const name = issue.path.length > 0 ? String(issue.path[0]) : "query";
  throw badParameter(name, issue.message);
}
