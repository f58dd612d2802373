import { Valkey } from "iovalkey";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startValkeyServer, type ValkeyTestServer } from "../support/valkey-server.js";

describe("the test Valkey server", () => {
  let server: ValkeyTestServer;
  beforeAll(async () => {
    server = await startValkeyServer();
  });
  afterAll(() => server.stop());

  it("answers PING and comes back empty after a restart", async () => {
    const client = new Valkey(server.url, { lazyConnect: true, maxRetriesPerRequest: null });
    await client.connect();
    expect(await client.ping()).toBe("PONG");
    await client.set("k", "v");
    await server.restart();
    await expect.poll(() => client.get("k").catch(() => "error"), { timeout: 5_000 }).toBe(null);
    client.disconnect();
  });
});
