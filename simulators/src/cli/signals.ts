const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;
export type StopSignal = keyof typeof SIGNAL_NUMBERS;

export interface StopSignals {
  /** Aborted on the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** Which signal arrived, if one did. */
  received(): StopSignal | undefined;
  /** The shell's exit code for the received signal (130 for SIGINT), 0 when none arrived. */
  exitCode(): number;
  dispose(): void;
}

/** Turns SIGINT/SIGTERM into an AbortSignal, so a command can stop cleanly and still report. */
export function listenForStop(): StopSignals {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const handlers = (Object.keys(SIGNAL_NUMBERS) as StopSignal[]).map((name) => {
    const handler = () => {
      received ??= name;
      controller.abort();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => received,
    exitCode: () => (received === undefined ? 0 : 128 + SIGNAL_NUMBERS[received]),
    dispose() {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
