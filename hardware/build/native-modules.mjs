// How each native module of the agent gets its binary for the target architecture.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const NODE_GYP = join(npmDir(), "node_modules/node-gyp/bin/node-gyp.js");
const CROSS = {
  arm64: {
    CC: "aarch64-linux-gnu-gcc",
    CXX: "aarch64-linux-gnu-g++",
    AR: "aarch64-linux-gnu-ar",
    LINK: "aarch64-linux-gnu-g++",
  },
};

/**
 * `keep(relativePath)` filters what is copied of the package; `install(target)` puts the binary in.
 * better-sqlite3: the host's own build for amd64, else compiled with node-gyp and the Debian cross
 * compilers against the host's Node headers (same Node major, N-API not involved), cached by
 * version. @serialport/bindings-cpp: its npm package already ships prebuilds per platform; keep
 * only the target's.
 */
export function nativeModule(name, source, arch, target, cacheDir) {
  if (name === "better-sqlite3") {
    const binary = "build/Release/better_sqlite3.node";
    return {
      keep: (path) => !/^\/(build|deps|src|docs|binding\.gyp)(\/|$)/.test(path),
      install(into) {
        const built =
          arch === "amd64" && process.arch === "x64"
            ? join(source, binary)
            : crossBuild(source, arch, cacheDir);
        mkdirSync(join(into, "build/Release"), { recursive: true });
        cpSync(built, join(into, binary));
      },
    };
  }
  if (name === "@serialport/bindings-cpp") {
    return {
      keep: (path) =>
        !/^\/(src|binding\.gyp)(\/|$)/.test(path) &&
        (!path.startsWith("/prebuilds/") || path.startsWith(`/prebuilds/${target.prebuild}`)),
      install(into) {
        if (!existsSync(join(into, "prebuilds", target.prebuild)))
          throw new Error(`no ${target.prebuild} prebuild in ${name}`);
      },
    };
  }
  return { keep: () => true, install() {} };
}

function crossBuild(source, arch, cacheDir) {
  const version = JSON.parse(readFileSync(join(source, "package.json"), "utf8")).version;
  const dir = join(cacheDir, `better-sqlite3-${version}-node${process.versions.modules}-${arch}`);
  const out = join(dir, "build/Release/better_sqlite3.node");
  if (existsSync(out)) return out;
  rmSync(dir, { recursive: true, force: true });
  cpSync(source, dir, { recursive: true, filter: (path) => !path.slice(source.length).startsWith("/build") });
  const started = Date.now();
  process.stderr.write(`build-deb: compiling better-sqlite3 ${version} for ${arch} (cached in ${dir}) …\n`);
  execFileSync(
    process.execPath,
    [NODE_GYP, "rebuild", `--arch=${arch}`, `--nodedir=${nodeDir()}`, "--jobs=2"],
    { cwd: dir, env: { ...process.env, ...CROSS[arch] }, stdio: ["ignore", "ignore", "inherit"] },
  );
  process.stderr.write(
    `build-deb: better-sqlite3 for ${arch} took ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  return out;
}

/** Node's headers, where npm's nodedir points on Debian (/usr/include/node) or a tarball install puts them. */
function nodeDir() {
  for (const candidate of ["/usr", "/usr/local"])
    if (existsSync(join(candidate, "include/node/common.gypi"))) return candidate;
  throw new Error("no Node headers found: set npm_config_nodedir");
}

function npmDir() {
  for (const candidate of [
    "/usr/lib/node_modules/npm",
    "/usr/share/nodejs/npm",
    "/usr/local/lib/node_modules/npm",
  ]) {
    if (existsSync(join(candidate, "node_modules/node-gyp"))) return candidate;
  }
  throw new Error("npm's bundled node-gyp was not found");
}
