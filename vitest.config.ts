import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["*/src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn real processes and bind real ports; two cores cannot run many at once.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
