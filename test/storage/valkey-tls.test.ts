import { basename, dirname } from "node:path";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { GatewayError } from "../../src/gateway-error.js";
import { createStorage } from "../../src/storage/create-storage.js";
import type { Storage } from "../../src/storage/storage.js";
import {
  createValkeyStorage,
  type ValkeyStorage,
  type ValkeyStorageOptions,
} from "../../src/storage/valkey/valkey-storage.js";
import { createSelfSignedCert, type SelfSignedCert } from "../support/self-signed-cert.js";
import {
  findRedisServerBinary,
  startValkeyServer,
  type ValkeyTestServer,
} from "../support/valkey-server.js";
import { newSession } from "./session-fixtures.js";
import { DEFAULT_CONTRACT_OPTIONS, rejectionOf } from "./storage-harness.js";

// The bundled Valkey is built without TLS; Debian's redis-server 7 has it. A missing binary
// fails this file (findRedisServerBinary throws) rather than skipping it.
describe("valkey storage over TLS (rediss://)", () => {
  let cert: SelfSignedCert;
  let server: ValkeyTestServer;
  let prefixes = 0;
  const open: Storage[] = [];

  beforeAll(async () => {
    const binary = findRedisServerBinary();
    cert = createSelfSignedCert();
    server = await startValkeyServer({
      binary,
      tls: { certPath: cert.certPath, keyPath: cert.keyPath },
    });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((storage) => storage.close()));
  });
  afterAll(async () => {
    await server?.stop();
    cert?.remove();
  });

  async function start(extra: Partial<ValkeyStorageOptions> = {}): Promise<ValkeyStorage> {
    prefixes += 1;
    const storage = await createValkeyStorage({
      ...DEFAULT_CONTRACT_OPTIONS,
      url: server.url,
      keyPrefix: `tls${prefixes}:`,
      log: pino({ level: "silent" }),
      ...extra,
    });
    open.push(storage);
    return storage;
  }

  it("serves only TLS on its port, so that a plain connection proves nothing", () => {
    expect(server.url).toBe(`rediss://127.0.0.1:${server.port}`);
  });

  it("stores and reads back a session when the private CA is trusted", async () => {
    const storage = await start({ tls: { ca: cert.ca } });
    const session = await storage.sessions.createSession(newSession());
    expect(await storage.sessions.getSession("alice", session.id)).toEqual(session);
  });

  it("checks the certificate against the configured servername instead of the URL's host", async () => {
    const storage = await start({ tls: { ca: cert.ca, servername: "localhost" } });
    const session = await storage.sessions.createSession(newSession());
    expect(await storage.sessions.getSession("alice", session.id)).toEqual(session);
    const wrongName = await rejectionOf(
      start({ tls: { ca: cert.ca, servername: "valkey.example.com" } }),
    );
    expect(wrongName).toBeInstanceOf(GatewayError);
    expect((wrongName as GatewayError).code).toBe("storage_unavailable");
    expect((wrongName as GatewayError).message).toMatch(/valkey\.example\.com/);
  });

  it("is refused with storage_unavailable when the CA is not trusted", async () => {
    const error = await rejectionOf(start());
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("storage_unavailable");
    expect((error as GatewayError).message).toContain(`cannot reach Valkey at ${server.url}`);
    expect((error as GatewayError).message).toMatch(/certificate/i);
  });

  it("is refused with storage_unavailable when spoken to in plain TCP", async () => {
    const plain = server.url.replace("rediss://", "redis://");
    const error = await rejectionOf(start({ url: plain }));
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("storage_unavailable");
  });

  /** The gateway configuration of a Valkey storage trusting `ca`, relative to the cert's dir. */
  function configWith(ca: string) {
    const storage = { type: "valkey", url: server.url, keyPrefix: "cfg:", tls: { ca } };
    const file = { providers: { demo: { type: "demo" } }, models: ["demo:echo"], storage };
    return parseConfig(file, {}, { baseDir: dirname(cert.certPath) });
  }

  it("builds the storage from storage.tls.ca in the configuration, relative to the file", async () => {
    const config = configWith(basename(cert.certPath));
    expect(config.storage).toMatchObject({ tlsCaPath: cert.certPath });
    const storage = await createStorage(config, { log: pino({ level: "silent" }) });
    open.push(storage);
    const session = await storage.sessions.createSession(newSession());
    expect(await storage.sessions.getSession("alice", session.id)).toEqual(session);
  });

  it("refuses to build the storage with storage_unavailable naming an unreadable CA file", async () => {
    const config = configWith("missing-ca.pem");
    const error = await rejectionOf(createStorage(config, { log: pino({ level: "silent" }) }));
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("storage_unavailable");
    expect((error as GatewayError).message).toContain("missing-ca.pem");
    expect((error as GatewayError).message).toContain("ENOENT");
  });
});
