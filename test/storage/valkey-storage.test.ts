import { Valkey } from "iovalkey";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createValkeyKeys } from "../../src/storage/valkey/valkey-keys.js";
import {
  createValkeyStorage,
  type ValkeyStorage,
} from "../../src/storage/valkey/valkey-storage.js";
import { startValkeyServer, type ValkeyTestServer } from "../support/valkey-server.js";
import { newSession, user } from "./session-fixtures.js";
import { describeStorageContract } from "./storage-contract.js";
import { DEFAULT_CONTRACT_OPTIONS, START_MS } from "./storage-harness.js";

// One real Valkey for the whole file; every storage gets its own key prefix instead of a
// FLUSHALL, so that storages never see each other's keys.
let server: ValkeyTestServer;
let prefixes = 0;

beforeAll(async () => {
  server = await startValkeyServer();
});
afterAll(() => server.stop());

function nextPrefix(): string {
  prefixes += 1;
  return `t${prefixes}:`;
}

// With the default group commit (streaming.commitInterval 50ms) …
describeStorageContract("valkey", (options) =>
  createValkeyStorage({
    ...options,
    url: server.url,
    keyPrefix: nextPrefix(),
    log: pino({ level: "silent" }),
  }),
);

// … and with each event committed on its own.
describeStorageContract("valkey, commitInterval 0", (options) =>
  createValkeyStorage({
    ...options,
    url: server.url,
    keyPrefix: nextPrefix(),
    streamCommitIntervalMs: 0,
    log: pino({ level: "silent" }),
  }),
);

describe("valkey storage layout", () => {
  const page = { pageSize: 0, pageToken: "" };
  let raw: Valkey;
  const open: ValkeyStorage[] = [];

  beforeAll(async () => {
    raw = new Valkey(server.url, { lazyConnect: true });
    await raw.connect();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((storage) => storage.close()));
  });
  afterAll(async () => {
    await raw.quit();
  });

  async function start(now?: () => number) {
    const keyPrefix = nextPrefix();
    const storage = await createValkeyStorage({
      ...DEFAULT_CONTRACT_OPTIONS,
      now,
      sessionTtlMs: 60_000,
      url: server.url,
      keyPrefix,
      log: pino({ level: "silent" }),
    });
    open.push(storage);
    return { storage, keys: createValkeyKeys(keyPrefix) };
  }

  it("gives every key it writes a physical TTL so that Valkey frees it by itself", async () => {
    const { storage, keys } = await start();
    const session = await storage.sessions.createSession(newSession());
    await storage.sessions.appendMessages("alice", session.id, [user("hi")]);
    await storage.rateLimits.take("model", 5, 30_000, Date.now());
    const window = Math.floor(Date.now() / 30_000);
    const ttls = await Promise.all(
      [keys.session(session.id), keys.sessionMessages(session.id), keys.ownerSessions("alice")].map(
        (key) => raw.pttl(key),
      ),
    );
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    const rateTtl = await raw.pttl(keys.rateWindow("model", window));
    expect(rateTtl).toBeGreaterThan(0);
    expect(rateTtl).toBeLessThanOrEqual(30_000);
  });

  it("reports a corrupted session as unknown and leaves out a corrupted message", async () => {
    const { storage, keys } = await start();
    const broken = await storage.sessions.createSession(newSession());
    await raw.hset(keys.session(broken.id), "metadata", "{not json");
    expect(await storage.sessions.getSession("alice", broken.id)).toBeUndefined();

    const session = await storage.sessions.createSession(newSession());
    await storage.sessions.appendMessages("alice", session.id, [user("kept")]);
    await raw.rpush(keys.sessionMessages(session.id), '{"role":"robot"}');
    const listed = await storage.sessions.listMessages("alice", session.id, page);
    expect(listed?.items.map((message) => message.text)).toEqual(["kept"]);
  });

  it("drops index entries whose session is gone from listings and removes them from the index", async () => {
    const { storage, keys } = await start();
    const kept = await storage.sessions.createSession(newSession({ title: "kept" }));
    const gone = await storage.sessions.createSession(newSession({ title: "gone" }));
    await raw.del(keys.session(gone.id));
    const listed = await storage.sessions.listSessions("alice", page);
    expect(listed.items.map((session) => session.id)).toEqual([kept.id]);
    await expect.poll(() => raw.zscore(keys.ownerSessions("alice"), gone.id)).toBeNull();
    expect(await raw.zscore(keys.ownerSessions("alice"), kept.id)).not.toBeNull();
  });

  it("orders sessions updated in the same millisecond by id across pages, as memory does", async () => {
    // A frozen clock: all seven sessions share one update time, more than a page's batch.
    const { storage } = await start(() => START_MS);
    const created = [];
    for (let i = 0; i < 7; i += 1) {
      created.push(await storage.sessions.createSession(newSession()));
    }
    const ids: string[] = [];
    let pageToken = "";
    do {
      const listed = await storage.sessions.listSessions("alice", { pageSize: 2, pageToken });
      ids.push(...listed.items.map((session) => session.id));
      pageToken = listed.nextPageToken;
    } while (pageToken !== "");
    expect(ids).toEqual(created.map((session) => session.id).sort());
  });
});
