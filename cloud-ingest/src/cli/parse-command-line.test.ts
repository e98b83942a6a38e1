import { ConfigError } from "@lotwatch/protocol/errors.js";
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "./parse-command-line.js";

describe("parseCommandLine", () => {
  it("leaves ports undefined when not given, so defaults may fall back", () => {
    expect(parseCommandLine(["--topology", "t.yaml"], {})).toEqual({
      topologyPath: "t.yaml",
      dbPath: "./lotwatch.db",
      host: "127.0.0.1",
      httpPort: undefined,
      mqttPort: undefined,
      readyFile: undefined,
      insecure: false,
      maxPayloadBytes: undefined,
    });
  });

  it("reads every option from LOTWATCH_* variables, and the command line wins", () => {
    const env = {
      LOTWATCH_TOPOLOGY: "env.yaml",
      LOTWATCH_DB: "env.db",
      LOTWATCH_HOST: "::1",
      LOTWATCH_HTTP_PORT: "0",
      LOTWATCH_MQTT_PORT: "1884",
      LOTWATCH_READY_FILE: "ready.json",
      LOTWATCH_MAX_PAYLOAD_BYTES: "1000",
      LOTWATCH_INSECURE: "false",
    };
    expect(parseCommandLine([], env)).toEqual({
      topologyPath: "env.yaml",
      dbPath: "env.db",
      host: "::1",
      httpPort: 0,
      mqttPort: 1884,
      readyFile: "ready.json",
      insecure: false,
      maxPayloadBytes: 1000,
    });
    expect(parseCommandLine(["--mqtt-port", "2000", "--insecure"], env)).toMatchObject({
      mqttPort: 2000,
      insecure: true,
    });
  });

  it("names the variable holding a bad value", () => {
    expect(() => parseCommandLine(["--topology", "t"], { LOTWATCH_HTTP_PORT: "http" })).toThrow(
      new ConfigError("bad_environment", 'LOTWATCH_HTTP_PORT="http": expected a port from 0 to 65535'),
    );
    expect(() => parseCommandLine(["--topology", "t"], { LOTWATCH_INSECURE: "maybe" })).toThrow(
      /LOTWATCH_INSECURE/,
    );
  });

  it("reads the clock threshold from --clock-threshold-ms or LOTWATCH_CLOCK_THRESHOLD_MS", () => {
    const env = { LOTWATCH_CLOCK_THRESHOLD_MS: "5000" };
    expect(parseCommandLine(["--topology", "t"], env).clockThresholdMs).toBe(5000);
    expect(parseCommandLine(["--topology", "t", "--clock-threshold-ms", "250"], env).clockThresholdMs).toBe(
      250,
    );
  });

  it("leaves synchronous to the store's FULL unless --sync or LOTWATCH_SYNC says otherwise", () => {
    expect(parseCommandLine(["--topology", "t"], {}).sync).toBeUndefined();
    expect(parseCommandLine(["--topology", "t"], { LOTWATCH_SYNC: "normal" }).sync).toBe("normal");
    expect(parseCommandLine(["--topology", "t", "--sync", "full"], { LOTWATCH_SYNC: "normal" }).sync).toBe(
      "full",
    );
    expect(() => parseCommandLine(["--topology", "t"], { LOTWATCH_SYNC: "off" })).toThrow(/LOTWATCH_SYNC/);
  });

  it("requires a topology", () => {
    expect(() => parseCommandLine([], {})).toThrow(/--topology FILE or set LOTWATCH_TOPOLOGY/);
  });
});

describe("parseCommandLine --db and --retention-days", () => {
  it("passes a postgres:// URL through as the database, with a retention from the flag or the variable", () => {
    const url = "postgres://postgres@127.0.0.1:5432/test?schema=lotwatch";
    expect(parseCommandLine(["--topology", "t", "--db", url, "--retention-days", "90"], {})).toMatchObject({
      dbPath: url,
      retentionDays: 90,
    });
    expect(
      parseCommandLine(["--topology", "t"], { LOTWATCH_DB: url, LOTWATCH_RETENTION_DAYS: "30" }),
    ).toMatchObject({ dbPath: url, retentionDays: 30 });
  });

  it("takes the outbox retention from the flag or the variable, for either store", () => {
    expect(parseCommandLine(["--topology", "t", "--outbox-retention-days", "30"], {})).toMatchObject({
      outboxRetentionDays: 30,
    });
    expect(parseCommandLine(["--topology", "t"], { LOTWATCH_OUTBOX_RETENTION_DAYS: "2" })).toMatchObject({
      outboxRetentionDays: 2,
    });
  });

  it("refuses a retention for the SQLite store, which keeps every event", () => {
    expect(() => parseCommandLine(["--topology", "t", "--retention-days", "90"], {})).toThrow(
      /--retention-days needs the PostgreSQL store/,
    );
  });
});
