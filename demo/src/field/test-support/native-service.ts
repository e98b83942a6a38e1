import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ComposeService } from "./compose-file.js";
import { mountsOf } from "./compose-file.js";
import { envOf, execForm, lastOf, parseDockerfile, type Stage } from "./dockerfile.js";

export interface NativeCommand {
  /** Arguments after `node`: the image's node flags, its script in the repository, the service's command. */
  args: string[];
  env: Record<string, string>;
  /** Maps a path inside the container to where it is natively. */
  hostPath(containerPath: string): string;
}

/**
 * What a compose service would run, as a process on this machine: the image's ENTRYPOINT (with
 * its WORKDIR being the repository root), the service's command and environment over the
 * image's ENV, bind mounts read from the repository and named volumes as folders under `dataDir`.
 */
export function nativeCommand(root: string, service: ComposeService, dataDir: string): NativeCommand {
  const build = service.build;
  if (build === undefined) throw new Error("only services built from this repository run natively");
  const image = parseDockerfile(join(root, build.context, build.dockerfile)).stages.at(-1) as Stage;
  const workdir = lastOf(image, "WORKDIR")?.args as string;
  const mounts = mountsOf(service).map((mount) => ({
    target: mount.target,
    host: mount.bind ? join(root, mount.source) : join(dataDir, mount.source),
  }));
  for (const mount of mountsOf(service))
    if (!mount.bind) mkdirSync(join(dataDir, mount.source), { recursive: true });
  const hostPath = (value: string): string => {
    const mount = mounts.find((m) => value === m.target || value.startsWith(`${m.target}/`));
    return mount === undefined ? value : `${mount.host}${value.slice(mount.target.length)}`;
  };
  const [node, ...entry] = execForm(lastOf(image, "ENTRYPOINT"));
  if (node !== "node") throw new Error(`the image's ENTRYPOINT starts with ${node}, not node`);
  const args = [
    ...entry.map((word) => (word.endsWith(".js") ? join(root, word.replace(`${workdir}/`, "")) : word)),
    ...(service.command ?? []).map(hostPath),
  ];
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...envOf(image), ...service.environment }))
    env[key] = hostPath(String(value));
  return { args, env, hostPath };
}
