import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/gateway-error.js";
import { type MakeStorage, rejectionOf, useStorage } from "./storage-harness.js";
import { collect, delta, streamWith, summary } from "./stream-fixtures.js";

/** The stream store part of the storage contract: retention, caps and ends. */
export function describeStreamRetentionContract(makeStorage: MakeStorage): void {
  describe("stream retention and limits", () => {
    const harness = useStorage(makeStorage);
    const signal = new AbortController().signal;

    it("keeps an ended stream for the retention window, then forgets it", async () => {
      const { storage, clock } = await harness.start({ streamRetentionMs: 10_000 });
      const { streams } = storage;
      await streamWith(streams, "st", 2);
      await streams.endStream("st", { state: "completed" });
      clock.advance(9_999);
      await storage.sweep();
      expect(await streams.latestStream("alice", "session-1")).toBe("st");
      expect(summary(await collect(streams.readStream("st", 1, signal)))).toEqual([
        2,
        "end:completed",
      ]);
      clock.advance(1);
      expect(await streams.getStream("st")).toBeUndefined();
      expect(await rejectionOf(collect(streams.readStream("st", 0, signal)))).toMatchObject({
        code: "not_found",
      });
      expect(await streams.latestStream("alice", "session-1")).toBeUndefined();
      expect(await streams.requestCancel("st")).toBeUndefined();
    });

    it("never expires a running stream", async () => {
      const { storage, clock } = await harness.start({ streamRetentionMs: 10_000 });
      await streamWith(storage.streams, "st", 1);
      clock.advance(1_000_000);
      await storage.sweep();
      expect((await storage.streams.getStream("st"))?.state).toBe("running");
    });

    it("evicts the earliest-ended streams over the cap, never a running one", async () => {
      const { storage } = await harness.start({ maxRetainedStreams: 3 });
      const { streams } = storage;
      for (const id of ["s1", "s2", "s3"]) await streamWith(streams, id, 1);
      await streams.endStream("s2", { state: "completed" });
      await streams.endStream("s3", { state: "completed" });
      const retained = async (): Promise<string[]> => {
        const ids = ["s1", "s2", "s3", "s4", "s5", "s6"];
        const found = await Promise.all(ids.map((id) => streams.getStream(id)));
        return ids.filter((_, i) => found[i] !== undefined);
      };
      await streamWith(streams, "s4", 1);
      expect(await retained()).toEqual(["s1", "s3", "s4"]);
      await streamWith(streams, "s5", 1);
      expect(await retained()).toEqual(["s1", "s4", "s5"]);
      // Every stream runs: the store goes over its cap rather than drop a live generation.
      await streamWith(streams, "s6", 1);
      expect(await retained()).toEqual(["s1", "s4", "s5", "s6"]);
    });

    it("rejects an event past maxEventsPerStream with resource_exhausted and keeps the others", async () => {
      const { storage } = await harness.start({ maxEventsPerStream: 3 });
      const { streams } = storage;
      await streamWith(streams, "st", 3);
      const error = await rejectionOf(streams.appendEvent("st", delta("too many")));
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ code: "resource_exhausted" });
      expect((await streams.getStream("st"))?.lastSequence).toBe(3);
    });

    it("keeps the first end and refuses events after it", async () => {
      const { storage } = await harness.start();
      const { streams } = storage;
      await streamWith(streams, "st", 1);
      await streams.endStream("st", { state: "completed" });
      await streams.endStream("st", { state: "canceled" });
      expect(await streams.getStream("st")).toMatchObject({ state: "completed", lastSequence: 1 });
      expect(await rejectionOf(streams.appendEvent("st", delta("late")))).toMatchObject({
        code: "internal",
      });
      expect(await rejectionOf(streams.appendEvent("missing", delta("x")))).toMatchObject({
        code: "not_found",
      });
    });
  });
}
