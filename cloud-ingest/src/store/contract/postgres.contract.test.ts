import { createSilentLogger } from "../../logging/create-logger.js";
import { createPostgresStore } from "../postgres/postgres-store.js";
import { createTestSchema, describePostgres } from "../postgres/test-support/test-database.js";
import type { Store } from "../store.js";
import { storeContract } from "./store-contract.js";

describePostgres("Store contract: PostgreSQL", () => {
  storeContract(async () => {
    const schema = createTestSchema();
    const open: Store[] = [];
    return {
      async open(options) {
        const store = await createPostgresStore({
          url: schema.url,
          logger: createSilentLogger(),
          ...options,
        });
        open.push(store);
        return store;
      },
      async destroy() {
        for (const store of open) await store.close();
        await schema.drop();
      },
    };
  });
});
