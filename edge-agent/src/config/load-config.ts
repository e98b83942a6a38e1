import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { formatPath } from "@lotwatch/protocol/issues.js";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { applyEnvOverrides, type EnvOverride } from "./env-overrides.js";
import { type AgentConfig, AgentConfigSchema, defaultInputName } from "./schema.js";

export interface LoadConfigOptions {
  /** Source of `LOTWATCH_*` overrides; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Reads, overrides from the environment and validates the agent's YAML or JSON config file. */
export function loadConfig(file: string, options: LoadConfigOptions = {}): AgentConfig {
  return parseConfig(readConfigFile(file), file, options);
}

/** Validates already-parsed config data; `source` names the file in error messages. */
export function parseConfig(raw: unknown, source: string, options: LoadConfigOptions = {}): AgentConfig {
  if (raw !== null && raw !== undefined && (typeof raw !== "object" || Array.isArray(raw))) {
    throw new ConfigError(
      "CONFIG_INVALID",
      `${source}: expected a mapping of sections (gateway, broker, buffer, …)`,
    );
  }
  const { data, overrides } = applyEnvOverrides(raw, options.env ?? process.env, source);
  const result = AgentConfigSchema.safeParse(data);
  if (!result.success) {
    throw new ConfigError("CONFIG_INVALID", describeIssues(result.error, data, source, overrides));
  }
  const config = result.data;
  return {
    ...config,
    inputs: config.inputs.map((input, index) => ({
      ...input,
      name: input.name ?? defaultInputName(input.type, index),
    })),
  };
}

function readConfigFile(file: string): unknown {
  const extension = extname(file).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(extension)) {
    throw new ConfigError(
      "CONFIG_INVALID",
      `${file}: unsupported file type "${extension}"; use .yaml, .yml or .json`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      "CONFIG_UNREADABLE",
      `${file}: cannot read the file (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  try {
    return extension === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const kind = extension === ".json" ? "JSON" : "YAML";
    const detail = (error as Error).message.split("\n")[0];
    throw new ConfigError("CONFIG_INVALID", `${file}: not valid ${kind}: ${detail}`, { cause: error });
  }
}

/** One line per problem, each naming where it came from and the key path: `agent.yaml: http.port: …`. */
function describeIssues(error: z.ZodError, data: unknown, source: string, overrides: EnvOverride[]): string {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) lines.push(line([...issue.path, key], "unknown key", source, overrides));
      continue;
    }
    const missing = issue.code === "invalid_type" && valueAt(data, issue.path) === undefined;
    lines.push(line(issue.path, missing ? "missing required key" : issue.message, source, overrides));
  }
  return lines.join("\n");
}

function line(
  path: readonly PropertyKey[],
  message: string,
  source: string,
  overrides: EnvOverride[],
): string {
  const key = formatPath("", path);
  const override = overrides.find((candidate) => formatPath("", candidate.path) === key);
  const origin = override ? `${override.variable} (environment)` : source;
  return `${origin}: ${key}: ${message}`;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
