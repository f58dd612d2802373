import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/gateway-error.js";
import type { StreamRead } from "../../src/storage/records.js";
import {
  eventually,
  type MakeStorage,
  rejectionOf,
  START_MS,
  useStorage,
} from "./storage-harness.js";
import { collect, delta, streamWith, summary } from "./stream-fixtures.js";

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The stream store part of the storage contract: reading, cancel, sessions. */
export function describeStreamStoreContract(makeStorage: MakeStorage): void {
  describe("streams", () => {
    const harness = useStorage(makeStorage);
    const signal = new AbortController().signal;

    it("assigns contiguous sequences from 1 and reports a running stream", async () => {
      const { storage } = await harness.start();
      const { streams } = storage;
      await streams.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
      const sequences = [];
      for (const text of ["a", "b", "c"])
        sequences.push(await streams.appendEvent("st", delta(text)));
      expect(sequences).toEqual([1, 2, 3]);
      expect(await streams.getStream("st")).toEqual({
        streamId: "st",
        sessionId: "s",
        owner: "alice",
        state: "running",
        end: undefined,
        createTimeMs: START_MS,
        lastSequence: 3,
      });
    });

    it("gives a reader from 0 every event in order, then the end", async () => {
      const { storage } = await harness.start();
      const { streams } = storage;
      await streamWith(streams, "st", 2);
      const reading = collect(streams.readStream("st", 0, signal));
      await streams.appendEvent("st", delta("t3"));
      await streams.endStream("st", { state: "completed" });
      const reads = await reading;
      expect(summary(reads)).toEqual([1, 2, 3, "end:completed"]);
      expect(reads[2]).toEqual({ kind: "event", event: { sequence: 3, payload: delta("t3") } });
      expect((await streams.getStream("st"))?.end).toEqual({ state: "completed" });
    });

    it("gives a reader attaching after sequence k the events k+1 … exactly once, live ones included", async () => {
      const { storage } = await harness.start();
      const { streams } = storage;
      await streamWith(streams, "st", 3);
      const reader = streams.readStream("st", 2, signal)[Symbol.asyncIterator]();
      expect(summary([(await reader.next()).value])).toEqual([3]);
      const waiting = reader.next();
      await streams.appendEvent("st", delta("t4"));
      expect(summary([(await waiting).value])).toEqual([4]);
      await streams.appendEvent("st", delta("t5"));
      await streams.endStream("st", { state: "completed" });
      const rest: StreamRead[] = [];
      for (let read = await reader.next(); read.done !== true; read = await reader.next()) {
        rest.push(read.value);
      }
      expect(summary(rest)).toEqual([5, "end:completed"]);
    });

    it("serves many concurrent readers every event once, in order", async () => {
      const { storage } = await harness.start();
      const { streams } = storage;
      await streamWith(streams, "st", 1);
      // One signal per reader, as one per RPC in the server.
      const signals = Array.from({ length: 20 }, () => new AbortController().signal);
      const readings = signals.map((readerSignal) =>
        collect(streams.readStream("st", 0, readerSignal)),
      );
      await eventually(async () => (await storage.waitingReaders()) === 20, "all readers wait");
      for (let i = 2; i <= 6; i += 1) await streams.appendEvent("st", delta(`t${i}`));
      await streams.endStream("st", {
        state: "failed",
        error: { code: "unavailable", message: "x" },
      });
      for (const reads of await Promise.all(readings)) {
        expect(summary(reads)).toEqual([1, 2, 3, 4, 5, 6, "end:failed"]);
      }
      expect(await storage.waitingReaders()).toBe(0);
      for (const readerSignal of signals) {
        expect(getEventListeners(readerSignal, "abort")).toHaveLength(0);
      }
    });

    it("stops a waiting reader without an end when its signal aborts, and frees its listener", async () => {
      const { storage } = await harness.start();
      const { streams } = storage;
      await streamWith(streams, "st", 1);
      const controller = new AbortController();
      const reader = streams.readStream("st", 0, controller.signal)[Symbol.asyncIterator]();
      expect(summary([(await reader.next()).value])).toEqual([1]);
      const waiting = reader.next();
      await eventually(async () => (await storage.waitingReaders()) === 1, "the reader waits");
      controller.abort();
      expect(await waiting).toEqual({ done: true, value: undefined });
      expect(await storage.waitingReaders()).toBe(0);
      const aborted = await collect(streams.readStream("st", 0, controller.signal));
      expect(aborted).toEqual([]);
    });

    it("rejects a reader of an unknown stream with not_found", async () => {
      const { storage } = await harness.start();
      const error = await rejectionOf(collect(storage.streams.readStream("missing", 0, signal)));
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ code: "not_found" });
      expect(await storage.streams.getStream("missing")).toBeUndefined();
    });

    it("gives only the end to a reader at the last sequence of an ended stream", async () => {
      const { storage } = await harness.start();
      const { streams } = storage;
      await streamWith(streams, "st", 2);
      await streams.endStream("st", { state: "canceled" });
      expect(summary(await collect(streams.readStream("st", 2, signal)))).toEqual(["end:canceled"]);
    });

    it("rejects a reader past the last sequence with out_of_range at once, running or ended", async () => {
      const { storage } = await harness.start();
      const { streams } = storage;
      await streamWith(streams, "running", 2);
      // Without the check, this reader would wait for a third event that never comes.
      const ahead = await rejectionOf(collect(streams.readStream("running", 3, signal)));
      expect(ahead).toBeInstanceOf(GatewayError);
      expect(ahead).toMatchObject({ code: "out_of_range" });
      expect((ahead as GatewayError).message).toMatch(/resume_token is ahead of the stream/);
      expect(await storage.waitingReaders()).toBe(0);
      await streamWith(streams, "ended", 2);
      await streams.endStream("ended", { state: "completed" });
      expect(await rejectionOf(collect(streams.readStream("ended", 9, signal)))).toMatchObject({
        code: "out_of_range",
      });
      // The stream is untouched: a reader from a position it has still gets everything.
      await streams.appendEvent("running", delta("t3"));
      await streams.endStream("running", { state: "completed" });
      expect(summary(await collect(streams.readStream("running", 2, signal)))).toEqual([
        3,
        "end:completed",
      ]);
    });

    it("notifies cancel callbacks once and leaves ending the stream to its producer", async () => {
      const { storage } = await harness.start();
      const { streams } = storage;
      await streamWith(streams, "st", 1);
      let calls = 0;
      const called = new Promise<void>((resolve) => {
        streams.onCancelRequested("st", () => {
          calls += 1;
          resolve();
        });
      });
      let unsubscribedCalls = 0;
      const unsubscribe = streams.onCancelRequested("st", () => {
        unsubscribedCalls += 1;
      });
      unsubscribe();
      expect(await streams.requestCancel("st")).toBe("canceled");
      await called;
      expect(await streams.requestCancel("st")).toBe("canceled");
      await nextTurn();
      expect(calls).toBe(1);
      expect(unsubscribedCalls).toBe(0);
      expect((await streams.getStream("st"))?.state).toBe("running");
      await streams.endStream("st", { state: "canceled" });
      expect(await streams.requestCancel("st")).toBe("canceled");
      await streamWith(streams, "done", 1);
      await streams.endStream("done", { state: "completed" });
      expect(await streams.requestCancel("done")).toBe("completed");
      expect(await streams.requestCancel("missing")).toBeUndefined();
    });

    it("tracks the newest stream of each owner's session", async () => {
      const { storage } = await harness.start();
      const { streams } = storage;
      expect(await streams.latestStream("alice", "session-1")).toBeUndefined();
      await streamWith(streams, "first", 1, "session-1");
      await streamWith(streams, "other", 1, "session-2");
      await streamWith(streams, "second", 0, "session-1");
      expect(await streams.latestStream("alice", "session-1")).toBe("second");
      expect(await streams.latestStream("alice", "session-2")).toBe("other");
      expect(await streams.latestStream("bob", "session-1")).toBeUndefined();
    });

    it("deletes a session's streams, ending their readers with not_found and stopping producers", async () => {
      const { storage } = await harness.start();
      const { streams } = storage;
      await streamWith(streams, "running", 1, "doomed");
      await streamWith(streams, "ended", 1, "doomed");
      await streams.endStream("ended", { state: "completed" });
      await streamWith(streams, "kept", 1, "kept");
      const canceled = new Promise<void>((resolve) =>
        streams.onCancelRequested("running", resolve),
      );
      const reading = collect(streams.readStream("running", 0, signal));
      await eventually(async () => (await storage.waitingReaders()) === 1, "the reader waits");
      await streams.deleteSessionStreams("bob", "doomed");
      expect(await streams.getStream("running")).toBeDefined();
      await streams.deleteSessionStreams("alice", "doomed");
      expect(await reading).toEqual([
        { kind: "event", event: { sequence: 1, payload: delta("t1") } },
        {
          kind: "end",
          end: {
            state: "failed",
            error: { code: "not_found", message: "the stream was deleted with its session" },
          },
        },
      ]);
      await canceled;
      expect(await streams.getStream("running")).toBeUndefined();
      expect(await streams.getStream("ended")).toBeUndefined();
      expect(await streams.latestStream("alice", "doomed")).toBeUndefined();
      expect(await streams.getStream("kept")).toBeDefined();
      expect(await storage.waitingReaders()).toBe(0);
    });
  });
}
