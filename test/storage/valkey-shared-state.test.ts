import { once } from "node:events";
import { createServer } from "node:net";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GatewayError } from "../../src/gateway-error.js";
import type { ModelFailure } from "../../src/storage/records.js";
import {
  createValkeyStorage,
  type ValkeyStorage,
} from "../../src/storage/valkey/valkey-storage.js";
import { startValkeyServer, type ValkeyTestServer } from "../support/valkey-server.js";
import { newSession, user } from "./session-fixtures.js";
import { rejectionOf } from "./storage-harness.js";

const MODEL = "openai:gpt-4o-mini";
const LEASE_MS = 30_000;
const page = { pageSize: 0, pageToken: "" };
const failure: ModelFailure = {
  reason: "upstream returned 503",
  cooldownMs: 1_000,
  maxCooldownMs: 10_000,
  retryAfterMs: undefined,
  disable: false,
};

describe("valkey storage shared by two instances", () => {
  let server: ValkeyTestServer;
  let prefixes = 0;
  const open: ValkeyStorage[] = [];
  const unhandled = vi.fn();

  beforeAll(async () => {
    server = await startValkeyServer();
    process.on("unhandledRejection", unhandled);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((storage) => storage.close()));
  });
  afterAll(async () => {
    process.off("unhandledRejection", unhandled);
    await server.stop();
  });

  /** Two storages with separate connections (two "instances") on one key prefix. */
  async function startInstances(): Promise<[ValkeyStorage, ValkeyStorage]> {
    prefixes += 1;
    const start = (instanceId: string) =>
      createValkeyStorage({
        url: server.url,
        keyPrefix: `shared${prefixes}:`,
        sessionTtlMs: 60_000,
        streamRetentionMs: 10_000,
        maxRetainedStreams: 100,
        maxEventsPerStream: 1_000,
        instanceId,
        log: pino({ level: "silent" }),
      });
    const a = await start("instance-a");
    open.push(a);
    const b = await start("instance-b");
    open.push(b);
    return [a, b];
  }

  it("reads, appends to and lists on one instance a session created on the other", async () => {
    const [a, b] = await startInstances();
    const created = await a.sessions.createSession(newSession({ title: "trip" }));
    expect(await b.sessions.getSession("alice", created.id)).toEqual(created);
    const appended = await b.sessions.appendMessages("alice", created.id, [user("hello")]);
    expect(appended?.messageCount).toBe(1);
    expect((await a.sessions.listMessages("alice", created.id, page))?.items).toMatchObject([
      { role: "user", text: "hello" },
    ]);
    const listed = await b.sessions.listSessions("alice", page);
    expect(listed.items.map((session) => session.id)).toEqual([created.id]);
    expect(await a.sessions.getSession("alice", created.id)).toEqual(appended);
  });

  it("makes the other instance skip a model whose cooldown one instance recorded", async () => {
    const [a, b] = await startInstances();
    const nowMs = Date.now();
    await a.models.recordFailure(MODEL, failure, nowMs);
    expect(await b.models.admit(MODEL, nowMs + 1, LEASE_MS)).toEqual({
      kind: "cooling_down",
      availableAtMs: nowMs + 1_000,
    });
    expect(await b.models.getHealth(MODEL, nowMs + 1)).toMatchObject({
      state: "cooling_down",
      lastError: "upstream returned 503",
    });
  });

  it("grants the half-open probe to exactly one of 20 concurrent callers across instances", async () => {
    const [a, b] = await startInstances();
    const nowMs = Date.now();
    await a.models.recordFailure(MODEL, failure, nowMs);
    const afterCooldownMs = nowMs + 1_000;
    const admissions = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).models.admit(MODEL, afterCooldownMs, LEASE_MS),
      ),
    );
    const kinds = admissions.map((admission) => admission.kind);
    expect(kinds.filter((kind) => kind === "probe")).toHaveLength(1);
    expect(kinds.filter((kind) => kind === "cooling_down")).toHaveLength(19);
  });

  it("admits exactly N of 3N concurrent takes across instances for a limit of N per window", async () => {
    const [a, b] = await startInstances();
    const max = 10;
    const windowMs = 60_000;
    const nowMs = Math.floor(Date.now() / windowMs) * windowMs + 5;
    const decisions = await Promise.all(
      Array.from({ length: 3 * max }, (_, i) =>
        (i % 2 === 0 ? a : b).rateLimits.take("model", max, windowMs, nowMs),
      ),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(max);
    expect(decisions.find((decision) => !decision.allowed)?.retryAfterMs).toBe(windowMs - 5);
    expect(await a.rateLimits.remaining("model", max, windowMs, nowMs)).toBe(0);
    expect(await b.rateLimits.remaining("model", max, windowMs, nowMs)).toBe(0);
  });

  it("rejects every operation with storage_unavailable naming Valkey while it is down, then works again after it restarts", async () => {
    const [a, b] = await startInstances();
    const session = await a.sessions.createSession(newSession());
    await server.stop();
    const nowMs = Date.now();
    // Wait until both connections have noticed the loss, so that what follows tests the
    // disconnected state rather than the moment of loss.
    for (const storage of [a, b]) {
      await expect
        .poll(() => storage.models.getHealth(MODEL, nowMs).then(() => "up", errorCode))
        .toBe("storage_unavailable");
    }

    const window = { maxMessages: 10, maxChars: 1_000 };
    const operations: Record<string, () => Promise<unknown>> = {
      createSession: () => b.sessions.createSession(newSession()),
      getSession: () => b.sessions.getSession("alice", session.id),
      listSessions: () => b.sessions.listSessions("alice", page),
      appendMessages: () => b.sessions.appendMessages("alice", session.id, [user("hi")]),
      listMessages: () => b.sessions.listMessages("alice", session.id, page),
      recentMessages: () => b.sessions.recentMessages("alice", session.id, window),
      deleteSession: () => b.sessions.deleteSession("alice", session.id),
      admit: () => b.models.admit(MODEL, nowMs, LEASE_MS),
      recordSuccess: () => b.models.recordSuccess(MODEL),
      recordFailure: () => b.models.recordFailure(MODEL, failure, nowMs),
      getHealth: () => b.models.getHealth(MODEL, nowMs),
      take: () => b.rateLimits.take("model", 10, 60_000, nowMs),
      remaining: () => b.rateLimits.remaining("model", 10, 60_000, nowMs),
      createStream: () =>
        b.streams.createStream({ streamId: "st", sessionId: session.id, owner: "alice" }),
      appendEvent: () => b.streams.appendEvent("st", { type: "delta", text: "x" }),
      endStream: () => b.streams.endStream("st", { state: "completed" }),
      getStream: () => b.streams.getStream("st"),
      latestStream: () => b.streams.latestStream("alice", session.id),
      readStream: () =>
        b.streams.readStream("st", 0, new AbortController().signal)[Symbol.asyncIterator]().next(),
      requestCancel: () => b.streams.requestCancel("st"),
      deleteSessionStreams: () => b.streams.deleteSessionStreams("alice", session.id),
    };
    for (const [name, operation] of Object.entries(operations)) {
      const error = await rejectionOf(operation());
      expect(error, name).toBeInstanceOf(GatewayError);
      expect(error, name).toMatchObject({
        code: "storage_unavailable",
        message: expect.stringContaining("Valkey"),
      });
    }

    await server.restart();
    for (const storage of [a, b]) {
      await expect
        .poll(() => storage.models.getHealth(MODEL, nowMs).then(() => "up", errorCode), {
          timeout: 10_000,
        })
        .toBe("up");
    }
    const again = await b.sessions.createSession(newSession());
    expect(await a.sessions.getSession("alice", again.id)).toEqual(again);
    expect((await a.rateLimits.take("model", 1, 60_000, nowMs)).allowed).toBe(true);
    expect((await b.rateLimits.take("model", 1, 60_000, nowMs)).allowed).toBe(false);
    await a.streams.createStream({ streamId: "after", sessionId: again.id, owner: "alice" });
    expect(await b.streams.getStream("after")).toMatchObject({ state: "running" });
    expect(unhandled).not.toHaveBeenCalled();
  });

  it("refuses to start quickly with storage_unavailable naming the redacted URL when nothing listens", async () => {
    const port = await closedPort();
    const url = `redis://switchboard:s3cret@127.0.0.1:${port}`;
    const startedMs = Date.now();
    const error = await rejectionOf(
      createValkeyStorage({
        url,
        keyPrefix: "never:",
        sessionTtlMs: 60_000,
        streamRetentionMs: 10_000,
        maxRetainedStreams: 100,
        maxEventsPerStream: 1_000,
        log: pino({ level: "silent" }),
      }),
    );
    expect(Date.now() - startedMs).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: "storage_unavailable" });
    const { message } = error as GatewayError;
    expect(message).toContain(`redis://switchboard:***@127.0.0.1:${port}`);
    expect(message).not.toContain("s3cret");
  });
});

function errorCode(error: unknown): string {
  return error instanceof GatewayError ? error.code : String(error);
}

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const listener = createServer();
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const address = listener.address();
  listener.close();
  await once(listener, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
