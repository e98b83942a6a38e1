import { renameSync, rmSync, writeFileSync } from "node:fs";

export interface ReadyInfo {
  httpUrl: string;
  mqttUrl: string;
  pid: number;
}

/** Written atomically (temp file + rename) so a watcher never reads half a file. */
export function writeReadyFile(path: string, info: ReadyInfo): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(info)}\n`);
  renameSync(temporary, path);
}

/** Removed on shutdown so a stale file does not announce a stopped ingest. */
export function removeReadyFile(path: string): void {
  rmSync(path, { force: true });
}
