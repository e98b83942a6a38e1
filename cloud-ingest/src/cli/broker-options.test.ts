import { ConfigError } from "@lotwatch/protocol/errors.js";
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "./parse-command-line.js";

describe("gateway and broker options", () => {
  it("reads --gateways and --max-packet-bytes, or their variables", () => {
    expect(
      parseCommandLine(["--topology", "t.yaml", "--gateways", "gw.yaml", "--max-packet-bytes", "5000"], {}),
    ).toMatchObject({ gatewaysPath: "gw.yaml", maxPacketBytes: 5000, broker: undefined });
    expect(
      parseCommandLine(["--topology", "t.yaml"], {
        LOTWATCH_GATEWAYS: "env.yaml",
        LOTWATCH_MAX_PACKET_BYTES: "9",
      }),
    ).toMatchObject({ gatewaysPath: "env.yaml", maxPacketBytes: 9 });
  });

  it("builds the external broker settings, with a fixed default client id", () => {
    expect(parseCommandLine(["--topology", "t.yaml", "--broker", "mqtt://broker:1883"], {}).broker).toEqual({
      url: "mqtt://broker:1883",
      username: undefined,
      password: undefined,
      clientId: "lotwatch-ingest",
      shareGroup: undefined,
    });
    const env = { LOTWATCH_BROKER_PASSWORD: "s3cret", LOTWATCH_SHARE_GROUP: "ingest" };
    expect(
      parseCommandLine(
        [
          "--topology",
          "t.yaml",
          "--broker",
          "mqtts://b:8883",
          "--broker-username",
          "ingest",
          "--client-id",
          "ingest-1",
        ],
        env,
      ).broker,
    ).toEqual({
      url: "mqtts://b:8883",
      username: "ingest",
      password: "s3cret",
      clientId: "ingest-1",
      shareGroup: "ingest",
    });
  });

  it("refuses --gateways together with --broker", () => {
    const parse = () =>
      parseCommandLine(["--topology", "t.yaml", "--gateways", "g.yaml", "--broker", "mqtt://b"], {});
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/--gateways configures the embedded broker/);
  });
});
