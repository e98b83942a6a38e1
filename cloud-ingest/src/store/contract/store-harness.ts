import type { ClockSettings } from "../../clock/clock-settings.js";
import type { NegativeCountHook } from "../../counts/clamp.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import type { Store } from "../store.js";

/** What a contract test may ask of the store it opens. */
export interface ContractStoreOptions {
  topology: TopologyIndex;
  onNegativeCount?: NegativeCountHook;
  clock?: Partial<ClockSettings>;
}

/** One backend's storage for one test (a SQLite file, a PostgreSQL schema). */
export interface StoreHarness {
  /** Opens a store on this storage; open again after `close()` to test a reopen. */
  open(options: ContractStoreOptions): Promise<Store>;
  /** Closes what is still open and removes the storage. */
  destroy(): Promise<void>;
}

/** Makes fresh, empty storage for each test. */
export type HarnessFactory = () => Promise<StoreHarness>;
