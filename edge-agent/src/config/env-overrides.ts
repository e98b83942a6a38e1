import { ConfigError } from "@lotwatch/protocol/errors.js";
import { formatPath } from "@lotwatch/protocol/issues.js";

/** Top-level sections env variables may reach; other `LOTWATCH_*` variables belong to other tools. */
const SECTIONS = ["gateway", "broker", "buffer", "http", "clock", "forward", "inputs"];
const PREFIX = "LOTWATCH_";

export interface EnvOverride {
  variable: string;
  path: Array<string | number>;
}

export interface EnvOverrideResult {
  data: Record<string, unknown>;
  overrides: EnvOverride[];
}

/**
 * Applies `LOTWATCH_SECTION__KEY[__…]=value` variables to the parsed file: segments split on `__`,
 * UPPER_SNAKE becomes camelCase (`LOTWATCH_FORWARD__MAX_IN_FLIGHT` → forward.maxInFlight), digits
 * index a list (`LOTWATCH_INPUTS__0__PATH`). Values stay strings; the schema coerces numbers.
 */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv, source: string): EnvOverrideResult {
  const data: Record<string, unknown> = isObject(raw) ? structuredClone(raw) : {};
  const overrides: EnvOverride[] = [];
  for (const variable of Object.keys(env).sort()) {
    const value = env[variable];
    if (!variable.startsWith(PREFIX) || value === undefined) continue;
    const segments = variable.slice(PREFIX.length).split("__");
    const section = toCamel(segments[0] ?? "");
    if (!SECTIONS.includes(section)) continue;
    if (segments.length < 2) {
      throw new ConfigError(
        "CONFIG_INVALID",
        `${variable}: names a whole section; name one key, e.g. ${variable}__URL`,
      );
    }
    overrides.push({ variable, path: setPath(data, segments, value, variable, source) });
  }
  return { data, overrides };
}

function setPath(
  data: Record<string, unknown>,
  segments: string[],
  value: string,
  variable: string,
  source: string,
): Array<string | number> {
  const path: Array<string | number> = [];
  let node: unknown = data;
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (Array.isArray(node)) {
      const position = /^\d+$/.test(segment) ? Number(segment) : -1;
      if (position < 0 || position >= node.length) {
        throw new ConfigError(
          "CONFIG_INVALID",
          `${variable}: ${formatPath("", path)} in ${source} has no item ${segment}`,
        );
      }
      path.push(position);
      if (last) throw sectionError(variable, path);
      node = node[position];
      continue;
    }
    if (!isObject(node))
      throw new ConfigError("CONFIG_INVALID", `${variable}: ${formatPath("", path)} is not a section`);
    const key = matchKey(node, segment);
    path.push(key);
    if (last) {
      if (isObject(node[key]) || Array.isArray(node[key])) throw sectionError(variable, path);
      node[key] = value;
    } else {
      node[key] ??= {};
      node = node[key];
    }
  }
  return path;
}

/** An existing key written in another case wins (`CLIENTID` finds clientId), else the camelCase form. */
function matchKey(node: Record<string, unknown>, segment: string): string {
  const loose = segment.replaceAll("_", "").toLowerCase();
  return Object.keys(node).find((key) => key.toLowerCase() === loose) ?? toCamel(segment);
}

function toCamel(segment: string): string {
  return segment
    .toLowerCase()
    .split("_")
    .filter((part) => part !== "")
    .map((part, index) => (index === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join("");
}

function sectionError(variable: string, path: Array<string | number>): ConfigError {
  return new ConfigError(
    "CONFIG_INVALID",
    `${variable}: ${formatPath("", path)} is a section, not a single value`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
