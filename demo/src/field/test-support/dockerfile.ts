import { readFileSync } from "node:fs";

export interface Instruction {
  keyword: string;
  /** The rest of the line, continuations joined. */
  args: string;
  line: number;
}

export interface Stage {
  /** `AS name`, or the index as a string. */
  name: string;
  /** The image after ARG defaults are substituted. */
  image: string;
  /** `--platform=…` of the FROM line, if any. */
  platform?: string;
  instructions: Instruction[];
}

export interface Copy {
  from?: string;
  sources: string[];
  destination: string;
  line: number;
}

/** A Dockerfile split into stages: enough of the syntax to check what the lotwatch images use. */
export function parseDockerfile(path: string): { stages: Stage[]; args: Map<string, string> } {
  const instructions = readInstructions(readFileSync(path, "utf8"));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const words = instruction.args.split(/\s+/);
      const platform = words.find((word) => word.startsWith("--platform="))?.slice("--platform=".length);
      const rest = words.filter((word) => !word.startsWith("--"));
      const image = (rest[0] ?? "").replace(/\$\{?(\w+)\}?/g, (_, name: string) => args.get(name) ?? "");
      const asIndex = rest.findIndex((word) => word.toUpperCase() === "AS");
      stages.push({
        name: asIndex >= 0 ? (rest[asIndex + 1] as string) : String(stages.length),
        image,
        ...(platform === undefined ? {} : { platform }),
        instructions: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) {
      if (instruction.keyword === "ARG") {
        const [name, value] = instruction.args.split("=", 2);
        args.set((name as string).trim(), (value ?? "").trim());
      }
      continue;
    }
    stage.instructions.push(instruction);
  }
  return { stages, args };
}

export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === "COPY" || instruction.keyword === "ADD")
    .map((instruction) => {
      const words = instruction.args.split(/\s+/);
      const from = words.find((word) => word.startsWith("--from="))?.slice("--from=".length);
      const paths = words.filter((word) => !word.startsWith("--"));
      return {
        ...(from === undefined ? {} : { from }),
        sources: paths.slice(0, -1),
        destination: paths.at(-1) as string,
        line: instruction.line,
      };
    });
}

/** The last value of an instruction in a stage (USER, WORKDIR, ENTRYPOINT…), or undefined. */
export function lastOf(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1);
}

/** An exec-form instruction (`["node", "cli.js"]`) as its words. */
export function execForm(instruction: Instruction | undefined): string[] {
  if (instruction === undefined) return [];
  return JSON.parse(instruction.args) as string[];
}

/** `ENV A=1 B=2` lines of a stage, merged. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions.filter((i) => i.keyword === "ENV")) {
    for (const match of instruction.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
      env[match[1] as string] = (match[2] as string).replace(/^"|"$/g, "");
    }
  }
  return env;
}

function readInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = "";
  let startLine = 0;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) return;
    if (pending === "") startLine = index + 1;
    if (line.startsWith("#")) return;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = `${pending}${line}`.trim();
    pending = "";
    const space = full.indexOf(" ");
    instructions.push({
      keyword: full.slice(0, space).toUpperCase(),
      args: full.slice(space + 1).trim(),
      line: startLine,
    });
  });
  return instructions;
}
