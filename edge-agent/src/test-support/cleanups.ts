export interface Cleanups {
  /** Registers a cleanup; they run in reverse order of registration. */
  add(cleanup: () => unknown): void;
  /** Runs every cleanup even when some fail, then throws the first failure. */
  run(): Promise<void>;
}

export function createCleanups(): Cleanups {
  let pending: Array<() => unknown> = [];
  return {
    add(cleanup) {
      pending.push(cleanup);
    },
    async run() {
      const list = pending.reverse();
      pending = [];
      const failures: unknown[] = [];
      for (const cleanup of list) {
        try {
          await cleanup();
        } catch (error) {
          failures.push(error);
        }
      }
      if (failures.length > 0) throw failures[0];
    },
  };
}
