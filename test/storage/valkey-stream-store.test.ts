import type { Valkey } from "iovalkey";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GatewayError } from "../../src/gateway-error.js";
import type { StreamRead } from "../../src/storage/records.js";
import { connectValkey, createValkeyClient } from "../../src/storage/valkey/valkey-connection.js";
import { createValkeyKeys, type ValkeyKeys } from "../../src/storage/valkey/valkey-keys.js";
import {
  createValkeyStreamStore,
  type ValkeyStreamStore,
} from "../../src/storage/valkey/valkey-stream-store.js";
import { createManualClock, type ManualClock } from "../support/manual-clock.js";
import { startValkeyServer, type ValkeyTestServer } from "../support/valkey-server.js";
import { eventually, rejectionOf } from "./storage-harness.js";
import { collect, delta, streamWith, summary } from "./stream-fixtures.js";

const log = pino({ level: "silent" });

/** One gateway instance: its own connection and instance id on the shared key prefix. */
interface Instance {
  readonly store: ValkeyStreamStore;
  readonly client: Valkey;
}

interface InstanceOptions {
  readonly leaseMs?: number;
  readonly retentionMs?: number;
  readonly maxEventsPerStream?: number;
  /** Default 50 ms, the configuration's default. */
  readonly commitIntervalMs?: number;
}

describe("valkey stream store across two gateway instances", () => {
  let server: ValkeyTestServer;
  let prefixes = 0;
  const cleanups: (() => Promise<void>)[] = [];
  const unhandled = vi.fn();
  const signal = new AbortController().signal;

  beforeAll(async () => {
    server = await startValkeyServer();
    process.on("unhandledRejection", unhandled);
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    expect(unhandled).not.toHaveBeenCalled();
  });
  afterAll(async () => {
    process.off("unhandledRejection", unhandled);
    await server.stop();
  });

  async function startInstance(
    keys: ValkeyKeys,
    instanceId: string,
    clock: ManualClock,
    options: InstanceOptions,
  ): Promise<Instance> {
    const client = createValkeyClient(server.url, { log });
    await connectValkey(client, server.url);
    const store = createValkeyStreamStore({
      client,
      keys,
      retentionMs: options.retentionMs ?? 10_000,
      maxRetainedStreams: 100,
      maxEventsPerStream: options.maxEventsPerStream ?? 1_000,
      leaseMs: options.leaseMs ?? 300,
      commitIntervalMs: options.commitIntervalMs ?? 50,
      instanceId,
      now: clock.now,
      log,
    });
    await store.start();
    cleanups.push(async () => {
      await store.close();
      client.disconnect();
    });
    return { store, client };
  }

  /** Instances A and B on a fresh key prefix, sharing one test clock. */
  async function startPair(options: InstanceOptions = {}) {
    prefixes += 1;
    const keys = createValkeyKeys(`t${prefixes}:`);
    const clock = createManualClock();
    const a = await startInstance(keys, "instance-a", clock, options);
    const b = await startInstance(keys, "instance-b", clock, options);
    return { a, b, keys, clock };
  }

  /** Waits until `observer` sees `events` events of the stream: its producer committed them. */
  async function untilCommitted(observer: Instance, streamId: string, events: number) {
    await eventually(
      async () => (await observer.store.getStream(streamId))?.lastSequence === events,
      `${events} events of ${streamId} are committed`,
    );
  }

  it("delivers a stream produced on one instance live to readers on another, exactly once and in order", async () => {
    const { a, b } = await startPair();
    await streamWith(a.store, "st", 2);
    // A remote reader can only hold the token of an event it could read: a committed one.
    await untilCommitted(b, "st", 2);
    const fromStart = collect(b.store.readStream("st", 0, signal));
    const fromTwo = collect(b.store.readStream("st", 2, signal));
    await eventually(() => b.store.waitingReaders() === 2, "both readers wait");
    for (const text of ["t3", "t4", "t5"]) await a.store.appendEvent("st", delta(text));
    await a.store.endStream("st", { state: "completed" });
    expect(summary(await fromStart)).toEqual([1, 2, 3, 4, 5, "end:completed"]);
    const reads = await fromTwo;
    expect(summary(reads)).toEqual([3, 4, 5, "end:completed"]);
    expect(reads[0]).toEqual({ kind: "event", event: { sequence: 3, payload: delta("t3") } });
    expect(b.store.waitingReaders()).toBe(0);
  });

  it("reads a long stream in batches from any sequence", async () => {
    const { a, b } = await startPair();
    await streamWith(a.store, "st", 600);
    await a.store.endStream("st", { state: "canceled" });
    const reads = summary(await collect(b.store.readStream("st", 100, signal)));
    expect(reads).toHaveLength(501);
    expect(reads[0]).toBe(101);
    expect(reads.slice(-2)).toEqual([600, "end:canceled"]);
  });

  it("ends a remote reader with an explicit unavailable error soon after the producer's lease expires", async () => {
    const { a, b } = await startPair({ leaseMs: 300 });
    await streamWith(a.store, "st", 1);
    const reading = collect(b.store.readStream("st", 0, signal));
    await eventually(() => b.store.waitingReaders() === 1, "the reader waits");
    const stoppedAt = Date.now();
    // Instance A dies: its heartbeat stops and it never ends the stream.
    await a.store.close();
    const reads = await reading;
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(summary(reads)).toEqual([1, "end:failed"]);
    expect(reads[1]).toMatchObject({
      kind: "end",
      end: { state: "failed", error: { code: "unavailable" } },
    });
    expect(JSON.stringify(reads[1])).toContain("lease expired");
    expect((await b.store.getStream("st"))?.state).toBe("failed");
  });

  it("keeps a stream running while its producer's heartbeat renews the lease", async () => {
    const { a, b, keys } = await startPair({ leaseMs: 300 });
    await streamWith(a.store, "st", 1);
    // Watch the lease over three lease times: without the heartbeat it would vanish after one.
    const startedAt = Date.now();
    let leaseAlways = true;
    await eventually(async () => {
      leaseAlways &&= (await b.client.exists(keys.streamLease("st"))) === 1;
      return Date.now() - startedAt > 900;
    }, "three leases pass");
    expect(leaseAlways).toBe(true);
    expect((await b.store.getStream("st"))?.state).toBe("running");
  });

  it("calls the producer's cancel callbacks when cancel is requested on another instance", async () => {
    const { a, b } = await startPair();
    await streamWith(a.store, "st", 1);
    const canceled = new Promise<void>((resolve) => a.store.onCancelRequested("st", resolve));
    expect(await b.store.requestCancel("st")).toBe("canceled");
    await canceled;
    await a.store.endStream("st", { state: "canceled" });
    expect(await b.store.requestCancel("st")).toBe("canceled");
  });

  it("calls a cancel callback registered after another instance requested the cancel", async () => {
    const { a, b } = await startPair();
    await streamWith(a.store, "st", 1);
    expect(await b.store.requestCancel("st")).toBe("canceled");
    await new Promise<void>((resolve) => a.store.onCancelRequested("st", resolve));
  });

  it("finds a requested cancel through the heartbeat when its pub/sub message was lost", async () => {
    const { a, b, keys } = await startPair({ leaseMs: 300 });
    await streamWith(a.store, "st", 1);
    const canceled = new Promise<void>((resolve) => a.store.onCancelRequested("st", resolve));
    // What requestCancel stores, without the message.
    await b.client.hset(keys.stream("st"), "cancelRequested", "1");
    await canceled;
  });

  it("ends readers on any instance when another instance deletes the session's streams", async () => {
    const { a, b } = await startPair();
    await streamWith(a.store, "st", 1, "doomed");
    await untilCommitted(b, "st", 1);
    const canceled = new Promise<void>((resolve) => a.store.onCancelRequested("st", resolve));
    const reading = collect(a.store.readStream("st", 0, signal));
    await eventually(() => a.store.waitingReaders() === 1, "the reader waits");
    await b.store.deleteSessionStreams("alice", "doomed");
    expect((await reading)[1]).toEqual({
      kind: "end",
      end: {
        state: "failed",
        error: { code: "not_found", message: "the stream was deleted with its session" },
      },
    });
    await canceled;
    expect(await a.store.getStream("st")).toBeUndefined();
    expect(await a.store.latestStream("alice", "doomed")).toBeUndefined();
  });

  it("refuses an event past maxEventsPerStream with resource_exhausted on any instance", async () => {
    // Each event committed before the next: instance B appends after A's committed events.
    const { a, b } = await startPair({ maxEventsPerStream: 2, commitIntervalMs: 0 });
    await streamWith(a.store, "st", 2);
    const error = await rejectionOf(b.store.appendEvent("st", delta("too many")));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: "resource_exhausted" });
    expect((await a.store.getStream("st"))?.lastSequence).toBe(2);
  });

  it("expires an ended stream logically by the clock and physically by TTL", async () => {
    const { a, b, keys, clock } = await startPair({ retentionMs: 5_000 });
    await streamWith(a.store, "st", 1);
    await a.store.endStream("st", { state: "completed" });
    for (const key of [keys.stream("st"), keys.streamEvents("st")]) {
      const ttlMs = Number(await b.client.pttl(key));
      expect(ttlMs).toBeGreaterThan(0);
      expect(ttlMs).toBeLessThanOrEqual(5_000);
    }
    expect(await b.client.exists(keys.streamLease("st"))).toBe(0);
    clock.advance(4_999);
    expect((await b.store.getStream("st"))?.state).toBe("completed");
    clock.advance(1);
    expect(await b.store.getStream("st")).toBeUndefined();
    expect(await rejectionOf(collect(b.store.readStream("st", 0, signal)))).toMatchObject({
      code: "not_found",
    });
  });

  it("appends an event in one round trip with commitInterval 0", async () => {
    const { a } = await startPair({ leaseMs: 60_000, commitIntervalMs: 0 });
    await streamWith(a.store, "st", 1);
    const monitor = await a.client.duplicate().monitor();
    const seen: { command: string; source: string }[] = [];
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      seen.push({ command: String(args[0]).toLowerCase(), source });
    });
    try {
      await a.client.echo("start");
      await a.store.appendEvent("st", delta("t2"));
      await a.client.echo("stop");
      await eventually(
        () => seen.filter((entry) => entry.command === "echo").length === 2,
        "the monitor sees both markers",
      );
      const client = seen.find((entry) => entry.command === "echo")?.source;
      const commands = seen
        .filter((entry) => entry.source === client)
        .map((entry) => entry.command);
      expect(commands).toEqual(["echo", "evalsha", "echo"]);
    } finally {
      monitor.disconnect();
    }
  });

  it("ends a waiting reader when Valkey restarts, then follows live streams again", async () => {
    const { a, b, keys } = await startPair({ leaseMs: 30_000 });
    await streamWith(a.store, "st", 1);
    const reads: StreamRead[] = [];
    // The outcome, settled as soon as the reader stops (a rejection is handled at once).
    const outcome = (async () => {
      for await (const read of b.store.readStream("st", 0, signal)) reads.push(read);
    })().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    await eventually(() => b.store.waitingReaders() === 1, "the reader waits");
    await server.restart();
    // Either Valkey is still down when the reader re-reads (storage_unavailable), or it came
    // back empty (the stream is gone): an explicit end in both cases, well before the lease.
    const error = await outcome;
    if (error === undefined) {
      expect(reads.at(-1)).toMatchObject({ kind: "end", end: { error: { code: "not_found" } } });
    } else {
      expect(error).toMatchObject({ code: "storage_unavailable" });
      expect(String((error as Error).message)).toContain("Valkey");
    }
    // Both subscribers resubscribe by themselves; with a 30 s lease only pub/sub can wake a reader in time.
    await eventually(async () => {
      if (a.client.status !== "ready" || b.client.status !== "ready") return false;
      const reply = await b.client.pubsub("NUMSUB", keys.streamTailChannel()).catch(() => []);
      return Number(reply[1]) === 2;
    }, "both subscribers are back");
    await streamWith(a.store, "again", 1);
    const live = collect(b.store.readStream("again", 0, signal));
    await eventually(() => b.store.waitingReaders() === 1, "the new reader waits");
    await a.store.appendEvent("again", delta("t2"));
    await a.store.endStream("again", { state: "completed" });
    expect(summary(await live)).toEqual([1, 2, "end:completed"]);
  });
});
