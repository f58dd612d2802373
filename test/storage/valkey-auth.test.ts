import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "../../src/gateway-error.js";
import {
  createValkeyStorage,
  type ValkeyStorage,
} from "../../src/storage/valkey/valkey-storage.js";
import { startValkeyServer, type ValkeyTestServer } from "../support/valkey-server.js";
import { newSession } from "./session-fixtures.js";
import { DEFAULT_CONTRACT_OPTIONS, rejectionOf } from "./storage-harness.js";

const REQUIRE_PASS = "default-secret";
const ALICE = { name: "alice", password: "alice-secret" };
/** A refusal must come from the server's answer, not from a timeout or reconnect loop. */
const QUICK_MS = 2_000;

describe("valkey storage with credentials", () => {
  let server: ValkeyTestServer;
  let prefixes = 0;
  const open: ValkeyStorage[] = [];

  beforeAll(async () => {
    server = await startValkeyServer({ requirePass: REQUIRE_PASS, users: [ALICE] });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((storage) => storage.close()));
  });
  afterAll(() => server.stop());

  /** The server's URL with `credentials` ("user:password" or ":password") before the host. */
  function urlWith(credentials: string): string {
    return server.url.replace("redis://", `redis://${credentials}@`);
  }

  async function start(url: string): Promise<ValkeyStorage> {
    prefixes += 1;
    const storage = await createValkeyStorage({
      ...DEFAULT_CONTRACT_OPTIONS,
      url,
      keyPrefix: `auth${prefixes}:`,
      log: pino({ level: "silent" }),
    });
    open.push(storage);
    return storage;
  }

  /** Starts a storage that must be refused; returns the error and how long it took. */
  async function refusal(url: string): Promise<{ error: GatewayError; elapsedMs: number }> {
    const startedMs = Date.now();
    const error = await rejectionOf(start(url));
    const elapsedMs = Date.now() - startedMs;
    if (!(error instanceof GatewayError)) throw error;
    return { error, elapsedMs };
  }

  it("connects as an ACL user given as user:password in the URL", async () => {
    const storage = await start(urlWith(`${ALICE.name}:${ALICE.password}`));
    const session = await storage.sessions.createSession(newSession());
    expect(await storage.sessions.getSession("alice", session.id)).toEqual(session);
  });

  it("connects with the requirepass password given as :password in the URL", async () => {
    const storage = await start(urlWith(`:${REQUIRE_PASS}`));
    const session = await storage.sessions.createSession(newSession());
    expect(await storage.sessions.getSession("alice", session.id)).toEqual(session);
  });

  it.each([
    ["an ACL user's wrong password", `${ALICE.name}:wrong-alice-password`],
    ["a wrong requirepass password", ":wrong-default-password"],
    ["an unknown user", "mallory:alice-secret"],
  ])("refuses %s quickly, naming the URL without the password", async (_what, credentials) => {
    const { error, elapsedMs } = await refusal(urlWith(credentials));
    expect(error.code).toBe("storage_unavailable");
    const password = credentials.slice(credentials.indexOf(":") + 1);
    const user = credentials.slice(0, credentials.indexOf(":"));
    expect(error.message).toContain(`redis://${user}:***@127.0.0.1:${server.port}`);
    expect(error.message).toContain("WRONGPASS");
    expect(error.message).not.toContain(password);
    expect(elapsedMs).toBeLessThan(QUICK_MS);
  });

  it("refuses quickly when the URL has no credentials at all", async () => {
    const { error, elapsedMs } = await refusal(server.url);
    expect(error.code).toBe("storage_unavailable");
    expect(error.message).toContain(`cannot reach Valkey at ${server.url}`);
    expect(error.message).toContain("NOAUTH");
    expect(elapsedMs).toBeLessThan(QUICK_MS);
  });
});
