import { describe, expect, it } from "vitest";
import { createAgentMetrics } from "./agent-metrics.js";

function setup() {
  let clock = Date.parse("2026-11-22T10:00:00.000Z");
  const metrics = createAgentMetrics({
    processMetrics: false,
    now: () => clock,
    sources: {
      depth: () => 0,
      oldestPendingAt: () => null,
      connected: () => true,
      bufferBytes: () => 0,
      diskFull: () => false,
      diskFullEvents: () => 0,
      clockSynced: () => true,
    },
  });
  return { metrics, advance: (ms: number) => (clock += ms) };
}

describe("input metrics", () => {
  it("reports readings, parse errors, reconnects and the age of the last reading per input", async () => {
    const { metrics, advance } = setup();
    const bus = metrics.observerFor("bus0");
    metrics.observerFor("cam0");
    bus.connected(true);
    bus.connected(false);
    bus.outage();
    bus.connected(true);
    bus.malformed("crc");
    metrics.readingsAccepted("bus0", 3);
    advance(12_500);
    const text = await metrics.registry.metrics();
    expect(text).toContain('lotwatch_agent_readings_accepted_total{input="bus0"} 3');
    expect(text).toContain('lotwatch_agent_malformed_lines_total{input="bus0",reason="crc"} 1');
    expect(text).toContain('lotwatch_agent_input_reconnects_total{input="bus0"} 1');
    expect(text).toContain('lotwatch_agent_input_reconnects_total{input="cam0"} 0');
    expect(text).toContain('lotwatch_agent_input_outages_total{input="bus0"} 1');
    expect(text).toContain('lotwatch_agent_input_last_reading_age_seconds{input="bus0"} 12.5');
    expect(text).toContain('lotwatch_agent_input_last_reading_age_seconds{input="cam0"} -1');
  });

  it("reports each bus sensor's polls by result and whether it is online", async () => {
    const { metrics } = setup();
    const bus = metrics.observerFor("bus0");
    bus.sensorPolled("unit-1", "ok");
    bus.sensorPolled("unit-1", "timeout");
    bus.sensorPolled("unit-1", "timeout");
    bus.sensorOnline("unit-1", false);
    const text = await metrics.registry.metrics();
    expect(text).toContain('lotwatch_agent_sensor_polls_total{input="bus0",sensor="unit-1",result="ok"} 1');
    expect(text).toContain(
      'lotwatch_agent_sensor_polls_total{input="bus0",sensor="unit-1",result="timeout"} 2',
    );
    expect(text).toContain('lotwatch_agent_sensor_online{input="bus0",sensor="unit-1"} 0');
  });
});
