import { Valkey } from "iovalkey";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "../../src/gateway-error.js";
import type { StreamRead } from "../../src/storage/records.js";
import { createValkeyKeys } from "../../src/storage/valkey/valkey-keys.js";
import {
  createValkeyStorage,
  type ValkeyStorage,
} from "../../src/storage/valkey/valkey-storage.js";
import { startValkeyCluster, type ValkeyTestCluster } from "../support/valkey-cluster.js";
import { newSession } from "./session-fixtures.js";
import { describeStorageContract } from "./storage-contract.js";
import { DEFAULT_CONTRACT_OPTIONS, eventually, rejectionOf } from "./storage-harness.js";
import { collect, delta, summary } from "./stream-fixtures.js";

// One real three-master cluster for the whole file, every node behind a password: a client
// that gave it to the seed node only would fail on the other two. A key prefix per storage.
const PASSWORD = "cluster-secret";
let cluster: ValkeyTestCluster;
let prefixes = 0;

beforeAll(async () => {
  cluster = await startValkeyCluster({ requirePass: PASSWORD });
});
afterAll(() => cluster?.stop());

function clusterUrl(password = PASSWORD): string {
  return cluster.url.replace("redis://", `redis://:${password}@`);
}

function nextPrefix(): string {
  prefixes += 1;
  return `c${prefixes}:`;
}

describeStorageContract("valkey cluster", (options) =>
  createValkeyStorage({
    ...options,
    url: clusterUrl(),
    cluster: true,
    keyPrefix: nextPrefix(),
    log: pino({ level: "silent" }),
  }),
);

describe("valkey storage on a cluster", () => {
  const open: ValkeyStorage[] = [];
  const signal = new AbortController().signal;

  afterEach(async () => {
    await Promise.all(open.splice(0).map((storage) => storage.close()));
  });

  /** A storage ("instance") on `keyPrefix`; a 30 s lease, so only pub/sub wakes a reader in time. */
  async function start(keyPrefix: string): Promise<ValkeyStorage> {
    const storage = await createValkeyStorage({
      ...DEFAULT_CONTRACT_OPTIONS,
      url: clusterUrl(),
      cluster: true,
      keyPrefix,
      streamLeaseMs: 30_000,
      log: pino({ level: "silent" }),
    });
    open.push(storage);
    return storage;
  }

  /** For each master, a value of `name(i)` whose key `keyOf` lives on that master. */
  async function onEveryMaster(
    keyOf: (value: string) => string,
    name: (i: number) => string,
  ): Promise<string[]> {
    const found = new Map<number, string>();
    for (let i = 0; found.size < cluster.nodes.length; i += 1) {
      const value = name(i);
      const master = await cluster.masterOf(keyOf(value));
      if (!found.has(master)) found.set(master, value);
    }
    return [...found.values()];
  }

  it("writes each session on the master that owns its slot, on every master", async () => {
    const keyPrefix = nextPrefix();
    const keys = createValkeyKeys(keyPrefix);
    const storage = await start(keyPrefix);
    const created: string[] = [];
    const byMaster = new Map<number, string>();
    while (byMaster.size < cluster.nodes.length) {
      const { id } = await storage.sessions.createSession(newSession());
      created.push(id);
      byMaster.set(await cluster.masterOf(keys.session(id)), id);
    }
    for (const [master, id] of byMaster) {
      const node = cluster.nodes[master];
      if (node === undefined) throw new Error(`no master ${master}`);
      const direct = new Valkey(node.url, { lazyConnect: true, password: PASSWORD });
      await direct.connect();
      try {
        expect(await direct.exists(keys.session(id))).toBe(1);
      } finally {
        direct.disconnect();
      }
      expect(await storage.sessions.getSession("alice", id)).toMatchObject({ id });
    }
    const listed = await storage.sessions.listSessions("alice", { pageSize: 100, pageToken: "" });
    expect(listed.items.map((session) => session.id).sort()).toEqual(created.sort());
  });

  it("tails streams on every master live to a reader on another instance, through pub/sub", async () => {
    const keyPrefix = nextPrefix();
    const keys = createValkeyKeys(keyPrefix);
    const producer = await start(keyPrefix);
    const reader = await start(keyPrefix);
    // One stream per master: whichever node each instance's subscriber picked, at least two
    // streams publish from another node (PUBLISH is cluster-wide).
    const streamIds = await onEveryMaster(keys.stream, (i) => `st-${i}`);
    for (const streamId of streamIds) {
      await producer.streams.createStream({ streamId, sessionId: "session-1", owner: "alice" });
      await producer.streams.appendEvent(streamId, delta("t1"));
    }
    const reads: Promise<StreamRead[]>[] = streamIds.map((streamId) =>
      collect(reader.streams.readStream(streamId, 0, signal)),
    );
    await eventually(
      () => reader.waitingReaders() === streamIds.length,
      "every reader waits for the live tail",
    );
    for (const streamId of streamIds) {
      await producer.streams.appendEvent(streamId, delta("t2"));
      await producer.streams.endStream(streamId, { state: "completed" });
    }
    for (const read of reads) expect(summary(await read)).toEqual([1, 2, "end:completed"]);
  });

  it("relays a cancel requested on one instance to the producing instance", async () => {
    const keyPrefix = nextPrefix();
    const keys = createValkeyKeys(keyPrefix);
    const producer = await start(keyPrefix);
    const other = await start(keyPrefix);
    const streamIds = await onEveryMaster(keys.stream, (i) => `cancel-${i}`);
    const canceled = new Set<string>();
    for (const streamId of streamIds) {
      await producer.streams.createStream({ streamId, sessionId: "session-1", owner: "alice" });
      producer.streams.onCancelRequested(streamId, () => canceled.add(streamId));
    }
    for (const streamId of streamIds) {
      expect(await other.streams.requestCancel(streamId)).toBe("canceled");
    }
    await eventually(() => canceled.size === streamIds.length, "every producer is told");
    for (const streamId of streamIds) {
      await producer.streams.endStream(streamId, { state: "canceled" });
    }
  });

  it("is refused quickly with storage_unavailable when the password is wrong", async () => {
    const startedMs = Date.now();
    const error = await rejectionOf(
      createValkeyStorage({
        ...DEFAULT_CONTRACT_OPTIONS,
        url: clusterUrl("wrong-password"),
        cluster: true,
        keyPrefix: nextPrefix(),
        log: pino({ level: "silent" }),
      }),
    );
    expect(Date.now() - startedMs).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("storage_unavailable");
    expect((error as GatewayError).message).toContain(
      `cannot reach Valkey at redis://:***@127.0.0.1:${cluster.nodes[0]?.port}`,
    );
    expect((error as GatewayError).message).not.toContain("wrong-password");
  });
});
