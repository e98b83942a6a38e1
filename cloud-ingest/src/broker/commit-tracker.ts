/** Remembers commits still running, so shutdown can wait for them before closing the store. */
export interface CommitTracker {
  track<T>(commit: Promise<T>): Promise<T>;
  /** Resolves when every commit tracked so far has settled. */
  drain(): Promise<void>;
  readonly size: number;
}

export function createCommitTracker(): CommitTracker {
  const running = new Set<Promise<unknown>>();
  return {
    track(commit) {
      const settled = commit.then(
        () => undefined,
        () => undefined,
      );
      running.add(settled);
      void settled.then(() => running.delete(settled));
      return commit;
    },
    async drain() {
      while (running.size > 0) await Promise.all(running);
    },
    get size() {
      return running.size;
    },
  };
}
