/**
 * An hour of readings that happened before the demo started, for the dashboard's charts to have
 * a history: cars filling the lot, people in the lobby, the bay sensor toggling. Written as jsonl
 * readings with their own `occurredAt`, through the same serial line as the camera's.
 */
export function pastHourReadings(now: number, seed = 1): string[] {
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  const lines: string[] = [];
  const add = (reading: Record<string, unknown>, at: number) =>
    lines.push(JSON.stringify({ ...reading, occurredAt: new Date(at).toISOString() }));
  const parked: string[] = [];
  let occupied = false;
  for (let minute = 60; minute > 0; minute--) {
    const at = now - minute * 60_000;
    // Arrivals climb through the hour; about a third as many leave.
    const arrivals = Math.round(1 + ((60 - minute) / 60) * 3 * random() + random());
    for (let i = 0; i < arrivals; i++) {
      const plate = `BF${String(Math.floor(random() * 90) + 10)}HX${String(Math.floor(random() * 9000) + 1000)}`;
      parked.push(plate);
      add({ type: "vehicle.entry", lane: "entry-1", plate, confidence: 0.95 }, at + i * 7_000);
    }
    if (random() < 0.4 && parked.length > 0) {
      const plate = parked.splice(Math.floor(random() * parked.length), 1)[0];
      add({ type: "vehicle.exit", lane: "exit-1", plate, confidence: 0.93 }, at + 45_000);
    }
    const people = Math.round(random() * 3) - (random() < 0.5 ? 1 : 0);
    if (people !== 0)
      add(
        { type: "door.crossing", door: "door-1", direction: people > 0 ? 1 : -1, count: Math.abs(people) },
        at + 30_000,
      );
    if (minute % 9 === 0) {
      occupied = !occupied;
      add({ type: "slot.state", slot: "L1-001", occupied }, at + 20_000);
    }
  }
  return lines;
}
