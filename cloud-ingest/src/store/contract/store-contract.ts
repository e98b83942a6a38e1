import { basicsContract } from "./basics.contract.js";
import { clockContract } from "./clock.contract.js";
import { countsContract } from "./counts.contract.js";
import { gapsContract } from "./gaps.contract.js";
import { sessionsContract } from "./sessions.contract.js";
import type { HarnessFactory } from "./store-harness.js";

/** The one Store contract suite; each backend's `*.contract.test.ts` runs it with its own storage. */
export function storeContract(harness: HarnessFactory): void {
  basicsContract(harness);
  countsContract(harness);
  clockContract(harness);
  gapsContract(harness);
  sessionsContract(harness);
}
