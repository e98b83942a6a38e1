import { afterEach, beforeEach } from "vitest";
import type { ClockSettings } from "../../../clock/clock-settings.js";
import { campusTopology } from "../../../counts/test-support/count-fixtures.js";
import { createSilentLogger } from "../../../logging/create-logger.js";
import { createTempDir, type TempDir } from "../../../test-support/fixtures.js";
import type { TopologyIndex } from "../../../topology/topology-index.js";
import type { Store } from "../../store.js";
import { createSqliteStore } from "../sqlite-store.js";

/** SQLite stores of the campus topology in a fresh folder per test, closed and removed after it. */
export function useCampusStores() {
  return useSqliteStores(campusTopology);
}

/** SQLite stores of `topology` in a fresh folder per test, closed and removed after it. */
export function useSqliteStores(topology: () => TopologyIndex) {
  let dir: TempDir;
  const stores: Store[] = [];
  beforeEach(() => {
    dir = createTempDir();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    dir.remove();
  });
  return {
    file: (name: string, content?: string) => dir.file(name, content),
    open(name: string, clock: Partial<ClockSettings> = {}): Store {
      const store = createSqliteStore({
        path: dir.file(name),
        topology: topology(),
        logger: createSilentLogger(),
        clock,
      });
      stores.push(store);
      return store;
    },
  };
}
