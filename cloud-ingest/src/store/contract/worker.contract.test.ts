import { describe } from "vitest";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createTempDir } from "../../test-support/fixtures.js";
import type { Store } from "../store.js";
import { createWorkerStore } from "../worker/worker-store.js";
import { storeContract } from "./store-contract.js";

describe("Store contract: SQLite on its own thread (worker-store.ts)", () => {
  storeContract(async () => {
    const dir = createTempDir();
    const open: Store[] = [];
    return {
      async open(options) {
        const store = await createWorkerStore({
          path: dir.file("ingest.db"),
          logger: createSilentLogger(),
          ...options,
        });
        open.push(store);
        return store;
      },
      async destroy() {
        for (const store of open) await store.close();
        dir.remove();
      },
    };
  });
});
