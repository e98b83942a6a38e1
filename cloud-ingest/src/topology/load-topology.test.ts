import { ConfigError } from "@lotwatch/protocol/errors.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir, TOPOLOGY_YAML } from "../test-support/fixtures.js";
import { loadTopology } from "./load-topology.js";
import { createTopologyIndex } from "./topology-index.js";

let dir: TempDir;
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

function errorOf(name: string, content: string): ConfigError {
  const file = dir.file(name, content);
  try {
    loadTopology(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected loadTopology to throw");
}

const site = (body: string) => `sites:\n  - id: mall-a\n${body}`;

describe("loadTopology", () => {
  it("loads the YAML example of DESIGN.md", () => {
    const topology = loadTopology(dir.file("topology.yaml", TOPOLOGY_YAML));
    expect(topology.sites[0]?.id).toBe("mall-a");
    expect(topology.sites[0]?.lanes).toHaveLength(4);
    expect(topology.sites[0]?.tariff?.currency).toBe("EUR");
  });

  it("loads the same topology from JSON", () => {
    const json = {
      sites: [
        {
          id: "campus",
          spaces: [{ id: "building", children: [{ id: "floor-1", countFrom: "slots" }] }],
          lanes: [{ id: "gate", space: "building", direction: "in" }],
          slots: [{ id: "bay-1", space: "floor-1" }],
        },
      ],
    };
    const topology = loadTopology(dir.file("topology.json", JSON.stringify(json)));
    expect(topology.sites[0]?.doors).toEqual([]);
    expect(topology.sites[0]?.slots).toEqual([{ id: "bay-1", space: "floor-1" }]);
  });

  it("names the file and the key path of an unknown space reference", () => {
    const error = errorOf(
      "topology.yaml",
      site(`    spaces: [ { id: lot, children: [ { id: level-1 } ] } ]
    lanes:
      - { id: entry-1, space: lot, direction: in }
      - { id: entry-2, space: levle-1, direction: in }
`),
    );
    expect(error.message).toContain('topology.yaml: sites[0].lanes[1].space: unknown space "levle-1"');
    expect(error.code).toBe("topology_invalid");
  });

  it("names the path of a schema violation, including unknown keys", () => {
    const error = errorOf(
      "bad.yaml",
      site(`    spaces: [ { id: lot, capacity: -1, colour: red } ]
    lanes: [ { id: e1, space: lot, direction: sideways } ]
`),
    );
    expect(error.message).toContain("bad.yaml: sites[0].spaces[0].capacity: capacity must not be negative");
    expect(error.message).toContain('sites[0].spaces[0]: Unrecognized key: "colour"');
    expect(error.message).toContain('sites[0].lanes[0].direction: direction must be "in" or "out"');
  });

  it("takes a site's IANA time zone and names the site of an unknown one", () => {
    const ok = dir.file("zone.yaml", site("    timeZone: Europe/Berlin\n    spaces: [ { id: lot } ]\n"));
    expect(createTopologyIndex(loadTopology(ok)).sites.get("mall-a")?.timeZone).toBe("Europe/Berlin");
    const error = errorOf(
      "bad-zone.yaml",
      site("    timeZone: Europe/Atlantis\n    spaces: [ { id: lot } ]\n"),
    );
    expect(error.message).toContain(
      "bad-zone.yaml: sites[0].timeZone: timeZone must be an IANA time zone such as Europe/Berlin",
    );
  });

  it("reports duplicate space ids anywhere in a site's tree", () => {
    const error = errorOf("t.yaml", site("    spaces: [ { id: lot, children: [ { id: lot } ] } ]\n"));
    expect(error.message).toBe(
      `${dir.file("t.yaml")}: sites[0].spaces[0].children[0].id: duplicate space id "lot"`,
    );
  });

  it("reports duplicate source ids and site ids", () => {
    const error = errorOf(
      "t.yaml",
      `sites:
  - id: a
    spaces: [ { id: lot } ]
    slots: [ { id: s1, space: lot }, { id: s1, space: lot } ]
  - id: a
    spaces: [ { id: lot } ]
`,
    );
    expect(error.message).toContain('t.yaml: sites[1].id: duplicate site id "a"');
    expect(error.message).toContain('t.yaml: sites[0].slots[1].id: duplicate slot id "s1"');
  });

  it("reports doors leading nowhere or to unknown spaces", () => {
    const error = errorOf(
      "t.yaml",
      site(`    spaces: [ { id: lobby } ]
    doors: [ { id: d1 }, { id: d2, from: lobby, to: hall } ]
`),
    );
    expect(error.message).toContain('t.yaml: sites[0].doors[0]: door "d1" needs "from" or "to"');
    expect(error.message).toContain('t.yaml: sites[0].doors[1].to: unknown space "hall"');
  });

  it("reports countFrom slots on a space without slots", () => {
    const error = errorOf("t.yaml", site("    spaces: [ { id: lot, countFrom: slots } ]\n"));
    expect(error.message).toContain("t.yaml: sites[0].spaces[0].countFrom:");
  });

  it("names the file when it is missing or not parseable", () => {
    expect(() => loadTopology(dir.file("missing.yaml"))).toThrow(
      /missing\.yaml: cannot read the topology file/,
    );
    expect(errorOf("t.json", "{ sites: ").message).toMatch(/\/t\.json: not valid JSON: /);
    expect(errorOf("t.yaml", "sites: [ {").message).toMatch(/\/t\.yaml: not valid YAML: /);
  });
});

describe("createTopologyIndex", () => {
  it("maps lanes to spaces and lists each space's ancestors nearest first", () => {
    const index = createTopologyIndex(loadTopology(dir.file("topology.yaml", TOPOLOGY_YAML)));
    const site = index.sites.get("mall-a");
    expect(site?.lanes.get("entry-l1")).toEqual({ space: "level-1", direction: "in" });
    expect(site?.spaces.get("zone-1a")).toMatchObject({
      parent: "level-1",
      ancestors: ["level-1", "lot"],
      capacity: 40,
    });
    expect(site?.spaces.get("lobby")).toMatchObject({ parent: null, ancestors: [], capacity: null });
    expect([...(site?.spaces.keys() ?? [])]).toEqual(["lot", "level-1", "zone-1a", "lobby"]);
  });
});
