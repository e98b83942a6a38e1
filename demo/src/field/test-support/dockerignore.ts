import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A `.dockerignore` as a predicate on context-relative paths: `**` any number of folders, `*` within
 * one; a path is ignored when it or a parent folder matches. Negations (`!`) are not used here and
 * are refused, so a new one cannot be silently misread.
 */
export function loadDockerignore(context: string): (path: string) => boolean {
  const file = join(context, ".dockerignore");
  if (!existsSync(file)) return () => false;
  const patterns = readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  if (patterns.some((pattern) => pattern.startsWith("!")))
    throw new Error(`${file}: negated patterns are not supported by this check`);
  const regexes = patterns.map(
    (pattern) =>
      new RegExp(
        `^${pattern
          .replace(/^\/+|\/+$/g, "")
          .replace(/[.+^${}()|[\]]/g, "\\$&")
          .split("**/")
          .map((part) => part.replace(/\*/g, "[^/]*"))
          .join("(.*/)?")}$`,
      ),
  );
  return (path) => {
    const segments = path.replace(/^\.?\/+|\/+$/g, "").split("/");
    for (let i = 1; i <= segments.length; i++) {
      const prefix = segments.slice(0, i).join("/");
      if (regexes.some((regex) => regex.test(prefix))) return true;
    }
    return false;
  };
}
