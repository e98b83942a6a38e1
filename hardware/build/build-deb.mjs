#!/usr/bin/env node
// Builds the lotwatch-agent Debian package for amd64 or arm64:
//   node hardware/build/build-deb.mjs --arch amd64|arm64 [--out hardware/out]
// Needs `npm run build` first (it bundles edge-agent/dist), dpkg-deb, and for arm64 the cross
// compilers (apt-get install gcc-aarch64-linux-gnu g++-aarch64-linux-gnu). Prints the .deb path.
//
// Layout: /usr/lib/lotwatch-agent/dist/bin/lotwatch-agent.mjs (one esbuild bundle of the agent),
// /usr/lib/lotwatch-agent/node_modules/ (only the native modules and their small JS loaders),
// /usr/bin/lotwatch-agent, the systemd unit, udev rules, docs.
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildSync } from "esbuild";
import { nativeModule } from "./native-modules.mjs";

const HARDWARE = resolve(import.meta.dirname, "..");
const ROOT = resolve(HARDWARE, "..");
const ARCHES = {
  amd64: { node: "x64", prebuild: "linux-x64" },
  arm64: { node: "arm64", prebuild: "linux-arm64" },
};
/** Native packages stay outside the bundle: they load their .node file relative to their own folder. */
const EXTERNAL = ["better-sqlite3", "@serialport/bindings-cpp"];

const { values } = parseArgs({
  options: { arch: { type: "string" }, out: { type: "string", default: join(HARDWARE, "out") } },
});
const arch = values.arch;
if (!(arch in ARCHES)) fail(`--arch must be amd64 or arm64, got ${arch}`);
const agentDist = join(ROOT, "edge-agent/dist/cli.js");
if (!existsSync(agentDist)) fail(`${agentDist} is missing: run \`npm run build\` first`);

const agentPackage = JSON.parse(readFileSync(join(ROOT, "edge-agent/package.json"), "utf8"));
const version = agentPackage.version;
const stage = join(HARDWARE, ".build", `deb-${arch}`);
rmSync(stage, { recursive: true, force: true });
const lib = join(stage, "usr/lib/lotwatch-agent");
mkdirSync(join(lib, "dist/bin"), { recursive: true });

// The agent reads its version from ../../package.json of its module (edge-agent/src/common/version.ts).
writeFileSync(
  join(lib, "package.json"),
  `${JSON.stringify({ name: "lotwatch-agent", version, private: true, type: "module" }, null, 2)}\n`,
);
buildSync({
  entryPoints: [agentDist],
  outfile: join(lib, "dist/bin/lotwatch-agent.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: EXTERNAL,
  legalComments: "none",
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __lwCreateRequire } from 'node:module'; const require = __lwCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});

const fromAgent = createRequire(join(ROOT, "edge-agent/package.json"));
for (const name of EXTERNAL) copyPackage(name, fromAgent, join(lib, "node_modules"));

install(join(HARDWARE, "debian/lotwatch-agent"), join(stage, "usr/bin/lotwatch-agent"), 0o755);
install(
  join(HARDWARE, "systemd/lotwatch-agent.service"),
  join(stage, "lib/systemd/system/lotwatch-agent.service"),
);
install(
  join(HARDWARE, "udev/60-lotwatch-serial.rules"),
  join(stage, "lib/udev/rules.d/60-lotwatch-serial.rules"),
);
install(
  join(HARDWARE, "debian/agent.example.yaml"),
  join(stage, "usr/share/doc/lotwatch-agent/agent.example.yaml"),
);
install(join(HARDWARE, "README.md"), join(stage, "usr/share/doc/lotwatch-agent/README.md"));
for (const script of ["postinst", "prerm", "postrm"]) {
  install(join(HARDWARE, "debian", script), join(stage, "DEBIAN", script), 0o755);
}
const installedKb = Math.ceil(
  Number(execFileSync("du", ["-sk", "--exclude=DEBIAN", stage], { encoding: "utf8" }).split("\t")[0]),
);
writeFileSync(
  join(stage, "DEBIAN/control"),
  [
    "Package: lotwatch-agent",
    `Version: ${version}`,
    `Architecture: ${arch}`,
    "Maintainer: lotwatch <lotwatch@example.invalid>",
    // better-sqlite3's binary is built for this Node's ABI: the same major on the gateway.
    `Depends: nodejs (>= 20.19), nodejs (<< ${Number(process.versions.node.split(".")[0]) + 1}), adduser`,
    "Section: net",
    "Priority: optional",
    `Installed-Size: ${installedKb}`,
    "Homepage: https://example.invalid/lotwatch",
    "Description: lotwatch gateway agent",
    " Reads parking and people-counting sensors (serial, TCP serial, Modbus, GPIO, camera HTTP",
    " push), keeps every reading in a local SQLite buffer and forwards it over MQTT to the",
    " lotwatch ingest. Runs as the lotwatch user under a hardened systemd unit.",
    "",
  ].join("\n"),
);

mkdirSync(values.out, { recursive: true });
const deb = join(values.out, `lotwatch-agent_${version}_${arch}.deb`);
execFileSync("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", stage, deb], {
  stdio: ["ignore", "ignore", "inherit"],
});
process.stdout.write(`${deb}\n`);

/** Copies an npm package and its runtime dependencies; native ones get their .node built for `arch`. */
function copyPackage(name, requireFrom, into, seen = new Set()) {
  if (seen.has(name)) return;
  seen.add(name);
  // Not require.resolve("x/package.json"): packages with an `exports` map may not export it.
  const folder = (requireFrom.resolve.paths(name) ?? [])
    .map((dir) => join(dir, name))
    .find((dir) => existsSync(join(dir, "package.json")));
  if (folder === undefined) throw new Error(`${name} is not installed`);
  const manifest = join(folder, "package.json");
  const source = dirname(manifest);
  const target = join(into, name);
  const native = nativeModule(name, source, arch, ARCHES[arch], join(HARDWARE, ".build/cache"));
  cpSync(source, target, {
    recursive: true,
    filter: (path) => native.keep(path.slice(source.length)),
  });
  native.install(target);
  const pkg = JSON.parse(readFileSync(manifest, "utf8"));
  const next = createRequire(manifest);
  for (const dependency of Object.keys(pkg.dependencies ?? {})) {
    // Build-time helpers are not needed once the binary is in place.
    if (["prebuild-install", "node-addon-api"].includes(dependency)) continue;
    copyPackage(dependency, next, into, seen);
  }
}

function install(from, to, mode = 0o644) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
  chmodSync(to, mode);
}

function fail(message) {
  process.stderr.write(`build-deb: ${message}\n`);
  process.exit(2);
}
