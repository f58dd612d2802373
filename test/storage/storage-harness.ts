import { afterEach } from "vitest";
import type { Storage } from "../../src/storage/storage.js";

/** What the contract suite passes to a storage factory. */
export interface StorageContractOptions {
  readonly sessionTtlMs: number;
  readonly streamRetentionMs: number;
  readonly maxRetainedStreams: number;
  readonly maxEventsPerStream: number;
  /** The test's clock, epoch milliseconds; every expiry must be judged by it. */
  readonly now: () => number;
}

/** What an implementation exposes to the contract suite beyond `Storage`. */
export interface StorageTestHooks {
  /** Runs the periodic removal of expired sessions and streams now. */
  sweep(): void | Promise<void>;
  /** Stream readers currently waiting for a change, across all streams (proves no leak). */
  waitingReaders(): number | Promise<number>;
}

/** A storage under test. */
export type StorageUnderTest = Storage & StorageTestHooks;

/** Builds a fresh, empty storage for one test. */
export type MakeStorage = (options: StorageContractOptions) => Promise<StorageUnderTest>;

/** A clock that moves only when told. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

/** The options every test starts from. */
export const DEFAULT_CONTRACT_OPTIONS = {
  sessionTtlMs: 60_000,
  streamRetentionMs: 10_000,
  maxRetainedStreams: 100,
  maxEventsPerStream: 1_000,
} as const;

/** A fixed start time, far from any window boundary of the rate limiter tests. */
export const START_MS = 1_700_000_000_000;

/** Starts storages on a test clock and closes each after its test. */
export interface StorageHarness {
  start(
    overrides?: Partial<Omit<StorageContractOptions, "now">>,
  ): Promise<{ storage: StorageUnderTest; clock: TestClock }>;
}

/** Registers the cleanup of every storage started in the enclosing `describe`. */
export function useStorage(makeStorage: MakeStorage): StorageHarness {
  const started: StorageUnderTest[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((storage) => storage.close()));
  });
  return {
    async start(overrides = {}) {
      let nowMs = START_MS;
      const clock: TestClock = {
        now: () => nowMs,
        advance: (ms) => {
          nowMs += ms;
        },
      };
      const storage = await makeStorage({
        ...DEFAULT_CONTRACT_OPTIONS,
        ...overrides,
        now: clock.now,
      });
      started.push(storage);
      return { storage, clock };
    },
  };
}

/**
 * Waits until `check` holds, giving the event loop a turn between checks (no timers). Fails
 * after `timeoutMs` with `what` in the message.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The error a promise rejects with (fails when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but the promise resolved");
}
