import { readFileSync } from "node:fs";
import { parse } from "yaml";

export interface ComposeService {
  build?: { context: string; dockerfile: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  ports?: string[];
  expose?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * docker-compose.yml with `${VAR:-default}` interpolated as Compose does (from `env`, else the
 * default); anchors and aliases are resolved by the YAML parser.
 */
export function loadCompose(path: string, env: NodeJS.ProcessEnv = {}): ComposeFile {
  const text = readFileSync(path, "utf8").replace(
    /\$\{(\w+)(?::-([^}]*))?\}/g,
    (_, name: string, fallback: string | undefined) => env[name] ?? fallback ?? "",
  );
  return parse(text) as ComposeFile;
}

export function dependsOn(service: ComposeService): string[] {
  const depends = service.depends_on;
  if (depends === undefined) return [];
  return Array.isArray(depends) ? depends : Object.keys(depends);
}

/** Bind mounts (`./host:/container[:ro]`) and named volumes (`name:/container`). */
export function mountsOf(service: ComposeService): { source: string; target: string; bind: boolean }[] {
  return (service.volumes ?? []).map((volume) => {
    const [source, target] = volume.split(":") as [string, string];
    return { source, target, bind: source.startsWith(".") || source.startsWith("/") };
  });
}

/** The container side of `ports` (`127.0.0.1:8080:8080` → 8080) and `expose`. */
export function containerPorts(service: ComposeService): number[] {
  return [
    ...(service.ports ?? []).map((port) => Number(port.split(":").at(-1))),
    ...(service.expose ?? []).map(Number),
  ];
}
