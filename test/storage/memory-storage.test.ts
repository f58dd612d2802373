import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createMemoryStorage,
  type MemoryStorage,
} from "../../src/storage/memory/memory-storage.js";
import { describeStorageContract } from "./storage-contract.js";
import { DEFAULT_CONTRACT_OPTIONS, START_MS } from "./storage-harness.js";

describeStorageContract("memory", async (options) => {
  // The sweep timer stays off: the contract calls `sweep()` itself when it needs one.
  const storage = createMemoryStorage({ ...options, sweepIntervalMs: 0 });
  return {
    ...storage,
    waitingReaders: () => storage.stats().waitingReaders,
  };
});

describe("memory storage", () => {
  const open: MemoryStorage[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((storage) => storage.close()));
    vi.useRealTimers();
  });

  function start(nowMs: { value: number }, sweepIntervalMs: number): MemoryStorage {
    const storage = createMemoryStorage({
      ...DEFAULT_CONTRACT_OPTIONS,
      sessionTtlMs: 60_000,
      streamRetentionMs: 10_000,
      now: () => nowMs.value,
      sweepIntervalMs,
    });
    open.push(storage);
    return storage;
  }

  it("frees expired sessions, their history and ended streams on its sweep interval", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const nowMs = { value: START_MS };
    const storage = start(nowMs, 1_000);
    const session = await storage.sessions.createSession({
      owner: "alice",
      system: "",
      title: "",
      metadata: {},
    });
    await storage.sessions.appendMessages("alice", session.id, [{ role: "user", text: "hi" }]);
    await storage.streams.createStream({ streamId: "st", sessionId: session.id, owner: "alice" });
    await storage.streams.appendEvent("st", { type: "delta", text: "hello" });
    await storage.streams.endStream("st", { state: "completed" });
    await storage.streams.createStream({ streamId: "live", sessionId: session.id, owner: "alice" });
    expect(storage.stats()).toEqual({
      sessions: 1,
      streams: 2,
      streamEvents: 1,
      waitingReaders: 0,
    });

    nowMs.value += 60_000;
    vi.advanceTimersByTime(1_000);
    expect(storage.stats()).toEqual({
      sessions: 0,
      streams: 1,
      streamEvents: 0,
      waitingReaders: 0,
    });
  });

  it("keeps its sweep timer from holding the process open and stops it on close", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const storage = start({ value: START_MS }, 1_000);
    expect(vi.getTimerCount()).toBe(1);
    await storage.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("evicts ended streams from memory when over the cap", async () => {
    const storage = createMemoryStorage({ ...DEFAULT_CONTRACT_OPTIONS, maxRetainedStreams: 2 });
    open.push(storage);
    for (const streamId of ["a", "b", "c", "d"]) {
      await storage.streams.createStream({ streamId, sessionId: "s", owner: "alice" });
      await storage.streams.appendEvent(streamId, { type: "delta", text: streamId });
      await storage.streams.endStream(streamId, { state: "completed" });
    }
    expect(storage.stats()).toMatchObject({ streams: 2, streamEvents: 2 });
  });
});
