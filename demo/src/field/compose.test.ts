import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { containerPorts, dependsOn, loadCompose, mountsOf } from "./test-support/compose-file.js";
import { copiesOf, envOf, execForm, lastOf, parseDockerfile, type Stage } from "./test-support/dockerfile.js";
import { loadDockerignore } from "./test-support/dockerignore.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const compose = loadCompose(join(ROOT, "docker-compose.yml"));
const services = Object.entries(compose.services);
const built = services.filter(([, service]) => service.build !== undefined);

function finalStage(dockerfile: string): Stage {
  return parseDockerfile(dockerfile).stages.at(-1) as Stage;
}

describe("docker-compose.yml against the repository", () => {
  it("has the ingest, an entry and an exit agent, their simulators, Prometheus and Grafana", () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ["agent-entry", "agent-exit", "grafana", "ingest", "prometheus", "sim-entry", "sim-exit"].sort(),
    );
  });

  it.each(built)("%s: its build context and Dockerfile exist", (_, service) => {
    const context = join(ROOT, service.build?.context as string);
    expect(statSync(context).isDirectory()).toBe(true);
    expect(existsSync(join(context, service.build?.dockerfile as string))).toBe(true);
  });

  it.each(built)("%s: every COPY source is in the context, not excluded by .dockerignore", (_, service) => {
    const context = join(ROOT, service.build?.context as string);
    const ignored = loadDockerignore(context);
    const { stages } = parseDockerfile(join(context, service.build?.dockerfile as string));
    for (const stage of stages) {
      for (const copy of copiesOf(stage).filter((c) => c.from === undefined)) {
        for (const source of copy.sources) {
          expect(existsSync(join(context, source)), `line ${copy.line}: ${source}`).toBe(true);
          expect(ignored(source), `line ${copy.line}: ${source} is in .dockerignore`).toBe(false);
        }
      }
    }
  });

  it.each(built)("%s: COPY --from takes only what the build stage copied in or built", (_, service) => {
    const { stages } = parseDockerfile(
      join(ROOT, service.build?.context as string, service.build?.dockerfile as string),
    );
    for (const [index, stage] of stages.entries()) {
      for (const copy of copiesOf(stage).filter((c) => c.from !== undefined)) {
        const from = stages.slice(0, index).find((earlier) => earlier.name === copy.from);
        expect(from, `line ${copy.line}: stage ${copy.from} comes before`).toBeDefined();
        const workdir = lastOf(from as Stage, "WORKDIR")?.args as string;
        const runs = (from as Stage).instructions
          .filter((i) => i.keyword === "RUN")
          .map((i) => i.args)
          .join("\n");
        const copied = copiesOf(from as Stage).flatMap((c) => c.sources.map((s) => s.replace(/\/$/, "")));
        for (const source of copy.sources) {
          const inside = source.replace(`${workdir}/`, "").replace(/\/$/, "");
          const made =
            (inside === "node_modules" && runs.includes("npm ci")) ||
            (inside.endsWith("/dist") &&
              runs.includes(`tsc -p ${inside.replace(/\/dist$/, "")}/tsconfig.build.json`)) ||
            copied.includes(inside);
          expect(made, `line ${copy.line}: ${source} is neither copied in nor built in ${copy.from}`).toBe(
            true,
          );
        }
      }
    }
  });

  it.each(built)("%s: runs as a non-root user, with a healthcheck, on a multi-arch base", (_, service) => {
    const dockerfile = join(ROOT, service.build?.context as string, service.build?.dockerfile as string);
    const { stages } = parseDockerfile(dockerfile);
    const last = stages.at(-1) as Stage;
    expect(lastOf(last, "USER")?.args).toMatch(/^(?!root$|0$)\w+/);
    expect(lastOf(last, "HEALTHCHECK")?.args).toMatch(/--interval=\d+s .*CMD /);
    for (const stage of stages) {
      // Official node images are published for linux/amd64 and linux/arm64; no stage pins a platform.
      expect(stage.image).toMatch(/^node:\d+-bookworm-slim$/);
      expect(stage.platform).toBeUndefined();
    }
    // The entry point's script is a file the final stage copies in.
    const script = execForm(lastOf(last, "ENTRYPOINT")).find((word) => word.endsWith(".js")) as string;
    const copiedDirs = copiesOf(last).map((copy) => copy.destination.replace(/\/$/, ""));
    expect(copiedDirs.some((dir) => script.startsWith(`${dir}/`))).toBe(true);
  });

  it.each(built)("%s: every port it publishes or exposes is EXPOSEd by its image", (_, service) => {
    const last = finalStage(
      join(ROOT, service.build?.context as string, service.build?.dockerfile as string),
    );
    const exposed = (lastOf(last, "EXPOSE")?.args ?? "").split(/\s+/).map(Number);
    for (const port of containerPorts(service)) expect(exposed).toContain(port);
  });

  it.each(services)(
    "%s: bind-mounted files exist, named volumes are declared, dependencies are services",
    (_, service) => {
      for (const mount of mountsOf(service)) {
        if (mount.bind) expect(existsSync(join(ROOT, mount.source)), mount.source).toBe(true);
        else expect(Object.keys(compose.volumes ?? {})).toContain(mount.source);
      }
      for (const name of dependsOn(service)) expect(Object.keys(compose.services)).toContain(name);
    },
  );

  it.each(services.filter(([, service]) => service.restart !== "no"))(
    "%s: has a healthcheck",
    (_, service) => {
      expect(service.healthcheck?.test[0]).toBe("CMD");
    },
  );

  it("points each agent at the ingest's MQTT port and at its simulator's serial-over-TCP port", () => {
    const ingestPort = Number(compose.services.ingest?.environment?.LOTWATCH_MQTT_PORT);
    for (const [agent, sim] of [
      ["agent-entry", "sim-entry"],
      ["agent-exit", "sim-exit"],
    ] as const) {
      const mount = mountsOf(compose.services[agent] ?? {}).find(
        (m) => m.target === "/etc/lotwatch/agent.yaml",
      );
      const config = parse(readFileSync(join(ROOT, mount?.source as string), "utf8"));
      expect(config.broker.url).toBe(`mqtt://ingest:${ingestPort}`);
      const listen = compose.services[sim]?.environment?.LOTWATCH_SIM_LISTEN as string;
      expect(config.inputs[0]).toMatchObject({
        type: "tcp-serial",
        host: sim,
        port: Number(listen.split(":")[1]),
      });
      expect(containerPorts(compose.services[sim] ?? {})).toContain(config.inputs[0].port);
      expect(dependsOn(compose.services[agent] ?? {})).toEqual(expect.arrayContaining(["ingest", sim]));
    }
  });

  it("has agent configs the agent accepts and gateway secrets the ingest's credentials file knows", () => {
    for (const agent of ["agent-entry", "agent-exit"]) {
      const mount = mountsOf(compose.services[agent] ?? {}).find(
        (m) => m.target === "/etc/lotwatch/agent.yaml",
      );
      const out = execFileSync(
        process.execPath,
        [join(ROOT, "edge-agent/dist/cli.js"), "check-config", join(ROOT, mount?.source as string)],
        {
          env: {
            ...process.env,
            LOTWATCH_BROKER__PASSWORD: String(
              compose.services[agent]?.environment?.LOTWATCH_BROKER__PASSWORD,
            ),
          },
          encoding: "utf8",
        },
      );
      expect(out).toMatch(/^ok: gateway gw-(entry|exit) at site mall-a/);
    }
    const gateways = parse(readFileSync(join(ROOT, "deploy/config/gateways.yaml"), "utf8")).gateways as {
      id: string;
    }[];
    expect(gateways.map((g) => g.id).sort()).toEqual(["gw-entry", "gw-exit"]);
  });

  it("has Prometheus scrape every service's metrics port, and Grafana provisioned with it and the dashboard", () => {
    const prometheus = parse(readFileSync(join(ROOT, "deploy/prometheus/prometheus.yml"), "utf8"));
    const targets = (prometheus.scrape_configs as { static_configs: { targets: string[] }[] }[]).flatMap(
      (job) => job.static_configs.flatMap((c) => c.targets),
    );
    expect(targets.sort()).toEqual(["agent-entry:9100", "agent-exit:9100", "ingest:8080"]);
    for (const target of targets) {
      const [name, port] = target.split(":") as [string, string];
      const service = compose.services[name];
      const last = finalStage(
        join(ROOT, service?.build?.context as string, service?.build?.dockerfile as string),
      );
      expect((lastOf(last, "EXPOSE")?.args ?? "").split(/\s+/)).toContain(port);
    }
    const datasource = parse(
      readFileSync(join(ROOT, "deploy/grafana/provisioning/datasources/prometheus.yaml"), "utf8"),
    ).datasources[0];
    expect(datasource.url).toBe("http://prometheus:9090");
    const provider = parse(
      readFileSync(join(ROOT, "deploy/grafana/provisioning/dashboards/lotwatch.yaml"), "utf8"),
    ).providers[0];
    const grafanaMounts = mountsOf(compose.services.grafana ?? {});
    const dashboards = grafanaMounts.find((m) => m.target === provider.options.path);
    expect(dashboards).toBeDefined();
    const dashboard = JSON.parse(
      readFileSync(join(ROOT, dashboards?.source as string, "lotwatch.json"), "utf8"),
    );
    for (const panel of dashboard.panels) expect(panel.datasource.uid).toBe(datasource.uid);
    expect(compose.services.grafana?.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      `${provider.options.path}/lotwatch.json`,
    );
  });

  it("reads .dockerignore as Docker does for the patterns it uses", () => {
    const ignored = loadDockerignore(ROOT);
    expect(
      ["protocol/dist", "edge-agent/dist/cli.js", "node_modules", "cloud-ingest/node_modules/x"].map(ignored),
    ).toEqual([true, true, true, true]);
    expect(["protocol/src", "package.json", "docker/agent.Dockerfile"].map(ignored)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it("gives each image the environment its command expects", () => {
    const sim = finalStage(join(ROOT, "docker/simulators.Dockerfile"));
    expect(envOf(sim).LOTWATCH_SIM_READY_FILE).toBe("/tmp/lotwatch-sim-ready.json");
    expect(compose.services["sim-entry"]?.healthcheck?.test).toContain(envOf(sim).LOTWATCH_SIM_READY_FILE);
  });
});
