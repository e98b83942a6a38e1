import { readFileSync } from "node:fs";

let cached: string | undefined;

/** The agent's version from its package.json (two levels up from both `src/common` and `dist/common`). */
export function agentVersion(): string {
  if (cached === undefined) {
    const raw = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    cached = String((JSON.parse(raw) as { version?: unknown }).version ?? "0.0.0");
  }
  return cached;
}
