import { beforeEach } from "vitest";
import { testTopology } from "../../../test-support/fixtures.js";
import type { Store } from "../../store.js";
import { useSqliteStores } from "./campus-stores.js";

/** A SQLite store of the test topology at `ingest.db` in a fresh folder per test, closed and removed after it. */
export function useTestStore() {
  const stores = useSqliteStores(testTopology);
  let store: Store;
  beforeEach(() => {
    store = stores.open("ingest.db");
  });
  return {
    get store() {
      return store;
    },
    file: stores.file,
  };
}
