import { describe } from "vitest";
import { describeModelStateContract } from "./model-state-contract.js";
import { describeSessionPagingContract } from "./session-paging-contract.js";
import { describeSessionStoreContract } from "./session-store-contract.js";
import type { MakeStorage } from "./storage-harness.js";
import { describeStreamRetentionContract } from "./stream-retention-contract.js";
import { describeStreamStoreContract } from "./stream-store-contract.js";

export type {
  MakeStorage,
  StorageContractOptions,
  StorageTestHooks,
  StorageUnderTest,
} from "./storage-harness.js";

/**
 * The behaviour every `Storage` implementation must have, run against the storages that
 * `makeStorage` builds: one fresh, empty storage per test, on the test's clock, closed after
 * the test. An implementation is tested by calling this from its own `*.test.ts` file.
 */
export function describeStorageContract(name: string, makeStorage: MakeStorage): void {
  describe(`${name} storage contract`, () => {
    describeSessionStoreContract(makeStorage);
    describeSessionPagingContract(makeStorage);
    describeStreamStoreContract(makeStorage);
    describeStreamRetentionContract(makeStorage);
    describeModelStateContract(makeStorage);
  });
}
