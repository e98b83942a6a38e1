import type { z } from "zod";

/** Renders zod issues as one line a person can act on: `events[3].plate: expected string, received number`. */
export function formatIssues(error: z.ZodError, prefix = ""): string {
  return error.issues.map((issue) => `${formatPath(prefix, issue.path)}: ${issue.message}`).join("; ");
}

export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(root)" : out;
}
