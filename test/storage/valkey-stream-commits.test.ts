import { setTimeout as sleep } from "node:timers/promises";
import type { Valkey } from "iovalkey";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "../../src/gateway-error.js";
import type { StreamRead } from "../../src/storage/records.js";
import { connectValkey, createValkeyClient } from "../../src/storage/valkey/valkey-connection.js";
import { createValkeyKeys, type ValkeyKeys } from "../../src/storage/valkey/valkey-keys.js";
import { MAX_PENDING_EVENTS } from "../../src/storage/valkey/valkey-stream-commits.js";
import {
  createValkeyStreamStore,
  type ValkeyStreamStore,
} from "../../src/storage/valkey/valkey-stream-store.js";
import { TAIL_MAX_EVENTS } from "../../src/storage/valkey/valkey-stream-tail.js";
import { startValkeyServer, type ValkeyTestServer } from "../support/valkey-server.js";
import { eventually, rejectionOf } from "./storage-harness.js";
import { collect, delta, summary } from "./stream-fixtures.js";
import { recordCommands } from "./valkey-command-log.js";

const log = pino({ level: "silent" });

/** One gateway instance: its own connection and instance id on the shared key prefix. */
interface Instance {
  readonly store: ValkeyStreamStore;
  readonly client: Valkey;
}

interface InstanceOptions {
  readonly commitIntervalMs: number;
  readonly maxEventsPerStream?: number;
}

/** Events of a realistic answer: chunks arriving a few milliseconds apart. */
const EVENTS = 100;
const CHUNK_GAP_MS = 5;

describe("valkey stream store group commit", () => {
  let server: ValkeyTestServer;
  let prefixes = 0;
  const cleanups: (() => Promise<void>)[] = [];
  const signal = new AbortController().signal;

  beforeAll(async () => {
    server = await startValkeyServer();
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
  afterAll(() => server.stop());

  async function startInstance(
    keys: ValkeyKeys,
    instanceId: string,
    options: InstanceOptions,
  ): Promise<Instance> {
    const client = createValkeyClient(server.url, { log });
    await connectValkey(client, server.url);
    const store = createValkeyStreamStore({
      client,
      keys,
      retentionMs: 60_000,
      maxRetainedStreams: 100,
      maxEventsPerStream: options.maxEventsPerStream ?? 1_000,
      // Long enough that no heartbeat or lease re-check runs during a test.
      leaseMs: 60_000,
      commitIntervalMs: options.commitIntervalMs,
      instanceId,
      now: Date.now,
      log,
    });
    await store.start();
    cleanups.push(async () => {
      await store.close();
      client.disconnect();
    });
    return { store, client };
  }

  /** Instance A (the producer) and B on a fresh key prefix. */
  async function startPair(options: InstanceOptions) {
    prefixes += 1;
    const keys = createValkeyKeys(`g${prefixes}:`);
    const a = await startInstance(keys, "instance-a", options);
    const b = await startInstance(keys, "instance-b", options);
    return { a, b, keys };
  }

  /** Appends `count` deltas from sequence `from`, `gapMs` apart, as an upstream would send them. */
  async function produce(store: ValkeyStreamStore, count: number, gapMs: number, from = 1) {
    for (let i = from; i < from + count; i += 1) {
      expect(await store.appendEvent("st", delta(`t${i}`))).toBe(i);
      if (gapMs > 0) await sleep(gapMs);
    }
  }

  /** The append scripts (one event or a batch) among `commands`, for stream `st`. */
  function appendScripts(commands: string[][], keys: ValkeyKeys): number {
    return commands.filter(
      (args) =>
        (args[0] === "evalsha" || args[0] === "eval") &&
        args[2] === "2" &&
        args[4] === keys.streamEvents("st"),
    ).length;
  }

  const count = (commands: string[][], name: string) =>
    commands.filter((args) => args[0] === name).length;

  const sequences = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it("commits a stream of 100 events in far fewer scripts than events with commitInterval 50ms", async () => {
    const { a, keys } = await startPair({ commitIntervalMs: 50 });
    await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
    const commands = await recordCommands(a.client);
    await produce(a.store, EVENTS, CHUNK_GAP_MS);
    await a.store.endStream("st", { state: "completed" });
    const sent = await commands.stop();
    // 100 events 5 ms apart span about half a second: about ten batches of about ten events.
    expect(appendScripts(sent, keys)).toBeGreaterThan(1);
    expect(appendScripts(sent, keys)).toBeLessThan(EVENTS / 4);
    // Every event is in Valkey, in order, once.
    const entries = await a.client.xrange(keys.streamEvents("st"), "-", "+");
    expect(entries.map(([id]) => id)).toEqual(sequences(1, EVENTS).map((i) => `${i}-0`));
  });

  it("commits each event with its own script with commitInterval 0, as before", async () => {
    const { a, b, keys } = await startPair({ commitIntervalMs: 0 });
    await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
    const commands = await recordCommands(a.client);
    for (let i = 1; i <= 5; i += 1) {
      expect(await a.store.appendEvent("st", delta(`t${i}`))).toBe(i);
      // Committed when the append resolves: visible to every instance at once.
      expect(await b.client.hget(keys.stream("st"), "lastSequence")).toBe(String(i));
    }
    const sent = await commands.stop();
    // Nothing but the five scripts (EVAL the first time on the connection, then EVALSHA).
    expect(appendScripts(sent, keys)).toBe(5);
    expect(sent).toHaveLength(5);
  });

  it("serves a reader on the producing instance from its tail: one XRANGE for the whole stream", async () => {
    const { a, keys } = await startPair({ commitIntervalMs: 50 });
    await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
    const commands = await recordCommands(a.client);
    const reading = collect(a.store.readStream("st", 0, signal));
    await eventually(() => a.store.waitingReaders() === 1, "the reader waits");
    await produce(a.store, EVENTS, CHUNK_GAP_MS);
    await a.store.endStream("st", { state: "completed" });
    const reads = await reading;
    const sent = await commands.stop();
    expect(summary(reads)).toEqual([...sequences(1, EVENTS), "end:completed"]);
    expect(reads[41]).toEqual({ kind: "event", event: { sequence: 42, payload: delta("t42") } });
    // The reader's first read; every event after it and the end came from memory.
    expect(count(sent, "xrange")).toBe(1);
    expect(count(sent, "hmget")).toBe(1);
    expect(appendScripts(sent, keys)).toBeLessThan(EVENTS / 4);
  });

  it("serves a caught-up local reader from the tail with commitInterval 0 too", async () => {
    const { a } = await startPair({ commitIntervalMs: 0 });
    await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
    const commands = await recordCommands(a.client);
    const reading = collect(a.store.readStream("st", 0, signal));
    await eventually(() => a.store.waitingReaders() === 1, "the reader waits");
    await produce(a.store, 20, 0);
    await a.store.endStream("st", { state: "canceled" });
    expect(summary(await reading)).toEqual([...sequences(1, 20), "end:canceled"]);
    expect(count(await commands.stop(), "xrange")).toBe(1);
  });

  it("gives a reader on another instance every event in order once committed, and resumes it from any sequence", async () => {
    const { a, b, keys } = await startPair({ commitIntervalMs: 50 });
    await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
    const live = collect(b.store.readStream("st", 0, signal));
    await eventually(() => b.store.waitingReaders() === 1, "the remote reader waits");
    const remote = await recordCommands(b.client);
    await produce(a.store, EVENTS / 2, CHUNK_GAP_MS);
    // Resumed in the middle of the running stream, at a sequence B has seen committed.
    await eventually(
      async () => Number(await b.client.hget(keys.stream("st"), "lastSequence")) >= 30,
      "30 events are committed",
    );
    const resumed = collect(b.store.readStream("st", 30, signal));
    await produce(a.store, EVENTS / 2, CHUNK_GAP_MS, EVENTS / 2 + 1);
    await a.store.endStream("st", { state: "completed" });
    expect(summary(await live)).toEqual([...sequences(1, EVENTS), "end:completed"]);
    expect(summary(await resumed)).toEqual([...sequences(31, EVENTS), "end:completed"]);
    // One read per committed batch, not per event (plus the resumed reader's).
    expect(count(await remote.stop(), "xrange")).toBeLessThan(EVENTS / 2);
    for (const from of [0, 1, 99, 100]) {
      expect(summary(await collect(b.store.readStream("st", from, signal)))).toEqual([
        ...sequences(from + 1, EVENTS),
        "end:completed",
      ]);
    }
  });

  it("shows an event to no reader, here or elsewhere, before it is committed", async () => {
    // An interval no test waits for: only an explicit commit makes the events visible.
    const { a, b, keys } = await startPair({ commitIntervalMs: 60_000 });
    await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
    const seen: { local: StreamRead[]; remote: StreamRead[] } = { local: [], remote: [] };
    const follow = async (store: ValkeyStreamStore, reads: StreamRead[]) => {
      for await (const read of store.readStream("st", 0, signal)) reads.push(read);
    };
    const following = [follow(a.store, seen.local), follow(b.store, seen.remote)];
    await eventually(
      () => a.store.waitingReaders() === 1 && b.store.waitingReaders() === 1,
      "both readers wait",
    );
    await produce(a.store, 3, 0);
    // A reader may start after an appended event that is not committed yet.
    const fromTwo = collect(a.store.readStream("st", 2, signal));
    expect(await b.client.hget(keys.stream("st"), "lastSequence")).toBe("0");
    expect(seen).toEqual({ local: [], remote: [] });
    // The producer's instance commits before it reports the stream.
    expect((await a.store.getStream("st"))?.lastSequence).toBe(3);
    await eventually(
      () => seen.local.length === 3 && seen.remote.length === 3,
      "both readers get the three events",
    );
    await a.store.endStream("st", { state: "completed" });
    await Promise.all(following);
    expect(summary(seen.local)).toEqual([1, 2, 3, "end:completed"]);
    expect(summary(seen.remote)).toEqual([1, 2, 3, "end:completed"]);
    expect(summary(await fromTwo)).toEqual([3, "end:completed"]);
  });

  it("ends the stream at once with its last events, without waiting for the interval", async () => {
    const { a, b } = await startPair({ commitIntervalMs: 60_000 });
    await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
    await produce(a.store, 3, 0);
    await a.store.endStream("st", { state: "completed" });
    expect(await b.store.getStream("st")).toMatchObject({ state: "completed", lastSequence: 3 });
    expect(summary(await collect(b.store.readStream("st", 0, signal)))).toEqual([
      1,
      2,
      3,
      "end:completed",
    ]);
  });

  it("makes an append wait for the commit once its stream's batch is full", async () => {
    const { a, b, keys } = await startPair({
      commitIntervalMs: 60_000,
      maxEventsPerStream: 10_000,
    });
    await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
    const commands = await recordCommands(a.client);
    // Each append but the last of a full batch resolves before the commit.
    await produce(a.store, MAX_PENDING_EVENTS, 0);
    expect(await b.client.hget(keys.stream("st"), "lastSequence")).toBe(String(MAX_PENDING_EVENTS));
    expect(appendScripts(await commands.stop(), keys)).toBe(1);
  });

  it("reads Valkey for a local reader that is further behind than the tail holds", async () => {
    const { a } = await startPair({ commitIntervalMs: 50 });
    await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
    const total = TAIL_MAX_EVENTS * 2 + 10;
    await produce(a.store, total, 0);
    expect((await a.store.getStream("st"))?.lastSequence).toBe(total);
    const reading = collect(a.store.readStream("st", 5, signal));
    await a.store.endStream("st", { state: "completed" });
    expect(summary(await reading)).toEqual([...sequences(6, total), "end:completed"]);
  });

  describe("a failed commit", () => {
    it("fails the next append with not_found, and every one after, when the stream was deleted", async () => {
      const { a, b } = await startPair({ commitIntervalMs: 60_000 });
      await a.store.createStream({ streamId: "st", sessionId: "doomed", owner: "alice" });
      await produce(a.store, 2, 0);
      await b.store.deleteSessionStreams("alice", "doomed");
      // The commit fails; the producer learns it from its next append.
      expect(await a.store.getStream("st")).toBeUndefined();
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const error = await rejectionOf(a.store.appendEvent("st", delta("late")));
        expect(error).toBeInstanceOf(GatewayError);
        expect(error).toMatchObject({ code: "not_found" });
      }
      // Reported once already: the end the producer then records is accepted (a no-op here).
      await a.store.endStream("st", {
        state: "failed",
        error: { code: "not_found", message: "deleted" },
      });
    });

    it("fails the end with not_found when the stream was deleted before its last commit", async () => {
      const { a, b } = await startPair({ commitIntervalMs: 60_000 });
      await a.store.createStream({ streamId: "st", sessionId: "doomed", owner: "alice" });
      await produce(a.store, 2, 0);
      await b.store.deleteSessionStreams("alice", "doomed");
      const error = await rejectionOf(a.store.endStream("st", { state: "completed" }));
      expect(error).toMatchObject({ code: "not_found" });
    });

    it("fails the next append with internal when another instance ended the stream", async () => {
      const { a, b } = await startPair({ commitIntervalMs: 60_000 });
      await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
      await produce(a.store, 1, 0);
      await b.store.endStream("st", { state: "canceled" });
      await a.store.getStream("st");
      expect(await rejectionOf(a.store.appendEvent("st", delta("late")))).toMatchObject({
        code: "internal",
      });
      expect(await b.store.getStream("st")).toMatchObject({ state: "canceled", lastSequence: 0 });
    });

    it("ends the stream as failed with the commit's error when only the end learns of it", async () => {
      const { a, b } = await startPair({ commitIntervalMs: 60_000 });
      await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
      await produce(a.store, 2, 0);
      // An event from another instance breaks A's numbering: its commit is refused.
      await b.store.appendEvent("st", delta("intruder"));
      const reading = collect(b.store.readStream("st", 1, signal));
      const error = await rejectionOf(a.store.endStream("st", { state: "completed" }));
      expect(error).toMatchObject({ code: "internal" });
      const reads = await reading;
      expect(summary(reads)).toEqual(["end:failed"]);
      expect(reads[0]).toMatchObject({ end: { error: { code: "internal" } } });
      expect((await b.store.getStream("st"))?.state).toBe("failed");
    });

    it("fails the next append with storage_unavailable when Valkey cannot be reached", async () => {
      const { a } = await startPair({ commitIntervalMs: 20 });
      await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
      await produce(a.store, 1, 0);
      a.client.disconnect();
      // Appends go on until the batch's commit has failed; then each one fails.
      let failure: unknown;
      await eventually(async () => {
        failure = await a.store.appendEvent("st", delta("more")).then(
          () => undefined,
          (error: unknown) => error,
        );
        return failure !== undefined;
      }, "an append fails");
      expect(failure).toMatchObject({ code: "storage_unavailable" });
      expect(await rejectionOf(a.store.appendEvent("st", delta("more")))).toMatchObject({
        code: "storage_unavailable",
      });
    });

    it("fails the append itself with commitInterval 0, as before", async () => {
      const { a, b } = await startPair({ commitIntervalMs: 0 });
      await a.store.createStream({ streamId: "st", sessionId: "doomed", owner: "alice" });
      await produce(a.store, 1, 0);
      await b.store.deleteSessionStreams("alice", "doomed");
      expect(await rejectionOf(a.store.appendEvent("st", delta("late")))).toMatchObject({
        code: "not_found",
      });
    });
  });

  it("refuses an event past maxEventsPerStream at once and commits the others", async () => {
    const { a, b } = await startPair({ commitIntervalMs: 50, maxEventsPerStream: 10 });
    await a.store.createStream({ streamId: "st", sessionId: "s", owner: "alice" });
    await produce(a.store, 10, 0);
    expect(await rejectionOf(a.store.appendEvent("st", delta("too many")))).toMatchObject({
      code: "resource_exhausted",
    });
    await a.store.endStream("st", { state: "completed" });
    expect(await b.store.getStream("st")).toMatchObject({ state: "completed", lastSequence: 10 });
  });
});
