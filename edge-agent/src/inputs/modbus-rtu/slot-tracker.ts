/** One sensor's poll outcome: its slots' states, or a failure. */
export type SensorPoll = { ok: true; occupied: boolean[] } | { ok: false };

export interface SlotChange {
  slot: string;
  occupied: boolean;
}

export interface SensorUpdate {
  /** Slots whose state differs from what was last reported: to emit as slot.state. */
  changes: SlotChange[];
  /** Set when the sensor went offline (false) or came back (true) with this poll. */
  online?: boolean;
}

export interface SlotTracker {
  observe(sensor: string, slots: readonly string[], poll: SensorPoll): SensorUpdate;
  /** The changes were committed: they become the reported state. */
  reported(changes: readonly SlotChange[]): void;
  /** The bus went away: every sensor still online goes offline. Returns their names. */
  busLost(): string[];
}

/**
 * Pure bookkeeping of a polled bus: a slot's state is emitted only when it differs from what was
 * last reported (the first poll reports everything), and a sensor is offline after `offlineAfter`
 * failed polls in a row, online again with its first good answer.
 */
export function createSlotTracker(options: { offlineAfter: number }): SlotTracker {
  const reportedState = new Map<string, boolean>();
  const failures = new Map<string, number>();
  const offline = new Set<string>();
  const known = new Set<string>();

  return {
    observe(sensor, slots, poll) {
      known.add(sensor);
      if (!poll.ok) {
        const count = (failures.get(sensor) ?? 0) + 1;
        failures.set(sensor, count);
        if (count >= options.offlineAfter && !offline.has(sensor)) {
          offline.add(sensor);
          return { changes: [], online: false };
        }
        return { changes: [] };
      }
      failures.set(sensor, 0);
      const changes: SlotChange[] = [];
      slots.forEach((slot, index) => {
        const occupied = poll.occupied[index] ?? false;
        if (reportedState.get(slot) !== occupied) changes.push({ slot, occupied });
      });
      if (offline.delete(sensor)) return { changes, online: true };
      return { changes };
    },
    reported(changes) {
      for (const change of changes) reportedState.set(change.slot, change.occupied);
    },
    busLost() {
      const lost = [...known].filter((sensor) => !offline.has(sensor));
      for (const sensor of lost) {
        offline.add(sensor);
        failures.set(sensor, options.offlineAfter);
      }
      return lost;
    },
  };
}
