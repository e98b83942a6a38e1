import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { formatPath } from "@lotwatch/protocol/issues.js";
import { parse as parseYaml } from "yaml";
import { crossCheckTopology, type TopologyIssue } from "./cross-check.js";
import { type Topology, TopologySchema } from "./schema.js";

/**
 * Reads and validates a topology file (`.json`, else YAML). Every problem becomes one ConfigError
 * whose message names the file and the key path of each issue.
 */
export function loadTopology(file: string): Topology {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      "topology_unreadable",
      `${file}: cannot read the topology file (${describe(error)})`,
      {
        cause: error,
      },
    );
  }
  return parseTopology(text, file);
}

/** Validates topology text; `file` names the source in messages. */
export function parseTopology(text: string, file: string): Topology {
  const isJson = extname(file).toLowerCase() === ".json";
  let raw: unknown;
  try {
    raw = isJson ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      "topology_syntax",
      `${file}: not valid ${isJson ? "JSON" : "YAML"}: ${describe(error)}`,
      {
        cause: error,
      },
    );
  }
  const parsed = TopologySchema.safeParse(raw);
  if (!parsed.success) {
    throw invalid(
      file,
      parsed.error.issues.map((issue) => ({
        path: issue.path as (string | number)[],
        message: issue.message,
      })),
    );
  }
  const issues = crossCheckTopology(parsed.data);
  if (issues.length > 0) throw invalid(file, issues);
  return parsed.data;
}

function invalid(file: string, issues: TopologyIssue[]): ConfigError {
  const lines = issues.map((issue) => `${file}: ${formatPath("", issue.path)}: ${issue.message}`);
  return new ConfigError("topology_invalid", lines.join("; "));
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
}
