import { afterEach, describe, expect, it, vi } from "vitest";
import { GatewayError } from "../../src/gateway-error.js";
import {
  createMemoryStorage,
  type MemoryStorage,
} from "../../src/storage/memory/memory-storage.js";
import {
  EVENT_OVERHEAD_BYTES,
  STREAM_OVERHEAD_BYTES,
} from "../../src/storage/memory/retained-bytes.js";
import { describeStorageContract } from "./storage-contract.js";
import { DEFAULT_CONTRACT_OPTIONS, rejectionOf, START_MS } from "./storage-harness.js";

/** Far above what any contract test holds: the byte bound is tested on its own below. */
const MAX_RETAINED_BYTES = 64 * 1024 * 1024;
/** Far above what any contract test holds: the session bound is tested on its own below. */
const MAX_SESSIONS = 100_000;

describeStorageContract("memory", async (options) => {
  // The sweep timer stays off: the contract calls `sweep()` itself when it needs one.
  const storage = createMemoryStorage({
    ...options,
    maxRetainedBytes: MAX_RETAINED_BYTES,
    maxSessions: MAX_SESSIONS,
    sweepIntervalMs: 0,
  });
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
      maxRetainedBytes: MAX_RETAINED_BYTES,
      maxSessions: MAX_SESSIONS,
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
      streamBytes: 2 * STREAM_OVERHEAD_BYTES + EVENT_OVERHEAD_BYTES + 2 * "hello".length,
      waitingReaders: 0,
    });

    nowMs.value += 60_000;
    vi.advanceTimersByTime(1_000);
    expect(storage.stats()).toEqual({
      sessions: 0,
      streams: 1,
      streamEvents: 0,
      streamBytes: STREAM_OVERHEAD_BYTES,
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
    const storage = createMemoryStorage({
      ...DEFAULT_CONTRACT_OPTIONS,
      maxRetainedBytes: MAX_RETAINED_BYTES,
      maxSessions: MAX_SESSIONS,
      maxRetainedStreams: 2,
    });
    open.push(storage);
    for (const streamId of ["a", "b", "c", "d"]) {
      await storage.streams.createStream({ streamId, sessionId: "s", owner: "alice" });
      await storage.streams.appendEvent(streamId, { type: "delta", text: streamId });
      await storage.streams.endStream(streamId, { state: "completed" });
    }
    expect(storage.stats()).toMatchObject({ streams: 2, streamEvents: 2 });
  });

  describe("session bound (sessions.maxSessions)", () => {
    it("evicts the least recently used session, with its history, to make room for a new one", async () => {
      const storage = createMemoryStorage({
        ...DEFAULT_CONTRACT_OPTIONS,
        maxRetainedBytes: MAX_RETAINED_BYTES,
        maxSessions: 3,
        sweepIntervalMs: 0,
      });
      open.push(storage);
      const newSession = () =>
        storage.sessions.createSession({ owner: "o", system: "", title: "", metadata: {} });
      const [a, b, c] = [await newSession(), await newSession(), await newSession()];
      // Reading a makes b the least recently used.
      await storage.sessions.appendMessages("o", a.id, [{ role: "user", text: "hi" }]);
      const d = await newSession();
      expect(await storage.sessions.getSession("o", b.id)).toBeUndefined();
      for (const kept of [a, c, d]) {
        expect(await storage.sessions.getSession("o", kept.id)).toBeDefined();
      }
      expect(
        (await storage.sessions.listMessages("o", a.id, { pageSize: 0, pageToken: "" }))?.items,
      ).toHaveLength(1);
      const page = await storage.sessions.listSessions("o", { pageSize: 10, pageToken: "" });
      expect(page.items.map((s) => s.id).sort()).toEqual([a.id, c.id, d.id].sort());
    });
  });

  describe("retained bytes (streaming.maxRetainedBytes)", () => {
    const text = (units: number): string => "x".repeat(units);
    /** What the store counts for a stream with deltas of these lengths. */
    const bytesOf = (...deltas: number[]): number =>
      STREAM_OVERHEAD_BYTES +
      deltas.reduce((sum, units) => sum + EVENT_OVERHEAD_BYTES + 2 * units, 0);

    function startBounded(maxRetainedBytes: number): MemoryStorage {
      const storage = createMemoryStorage({
        ...DEFAULT_CONTRACT_OPTIONS,
        maxRetainedBytes,
        maxSessions: MAX_SESSIONS,
        sweepIntervalMs: 0,
      });
      open.push(storage);
      return storage;
    }

    async function streamOf(storage: MemoryStorage, streamId: string, ...deltas: number[]) {
      await storage.streams.createStream({ streamId, sessionId: "s", owner: "alice" });
      for (const units of deltas) {
        await storage.streams.appendEvent(streamId, { type: "delta", text: text(units) });
      }
    }

    async function retained(storage: MemoryStorage, ids: readonly string[]): Promise<string[]> {
      const found = await Promise.all(ids.map((id) => storage.streams.getStream(id)));
      return ids.filter((_, index) => found[index] !== undefined);
    }

    it("counts each stream and event at its overhead plus 2 bytes per UTF-16 unit of text", async () => {
      const storage = startBounded(MAX_RETAINED_BYTES);
      await streamOf(storage, "a", 10, 3);
      await storage.streams.appendEvent("a", { type: "delta", text: "😀é" });
      expect(storage.stats().streamBytes).toBe(bytesOf(10, 3, 3));
    });

    it("evicts the earliest-ended streams when over the bound, never a running one", async () => {
      const storage = startBounded(5_000);
      const ids = ["running", "a", "b", "c", "d"];
      await streamOf(storage, "running", 1);
      for (const id of ["a", "b", "c"]) await streamOf(storage, id, 100);
      for (const id of ["b", "a", "c"]) await storage.streams.endStream(id, { state: "completed" });
      expect(storage.stats().streamBytes).toBe(bytesOf(1) + 3 * bytesOf(100));
      // A new stream takes the total over 5 000: the stream that ended first goes.
      await streamOf(storage, "d");
      expect(await retained(storage, ids)).toEqual(["running", "a", "c", "d"]);
      await storage.streams.appendEvent("d", { type: "delta", text: text(200) });
      expect(await retained(storage, ids)).toEqual(["running", "a", "c", "d"]);
      // An event does too.
      await storage.streams.appendEvent("d", { type: "delta", text: text(200) });
      expect(await retained(storage, ids)).toEqual(["running", "c", "d"]);
      // Running streams alone may go over the bound: none of them is evicted.
      await storage.streams.appendEvent("running", { type: "delta", text: text(1_500) });
      expect(await retained(storage, ids)).toEqual(["running", "d"]);
      expect(storage.stats().streamBytes).toBe(bytesOf(1, 1_500) + bytesOf(200, 200));
      expect(storage.stats().streamBytes).toBeGreaterThan(5_000);
    });

    it("rejects an event that would take its stream alone over the bound with resource_exhausted", async () => {
      const storage = startBounded(2_000);
      await streamOf(storage, "st", 500);
      expect(bytesOf(500)).toBeLessThanOrEqual(2_000);
      const error = await rejectionOf(
        storage.streams.appendEvent("st", { type: "delta", text: text(20) }),
      );
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ code: "resource_exhausted" });
      expect((error as GatewayError).message).toMatch(/streaming\.maxRetainedBytes/);
      expect(await storage.streams.getStream("st")).toMatchObject({
        state: "running",
        lastSequence: 1,
      });
      expect(storage.stats().streamBytes).toBe(bytesOf(500));
    });
  });
});
