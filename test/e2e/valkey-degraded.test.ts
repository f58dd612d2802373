import { setTimeout as delay } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GatewayConfig } from "../../src/config/gateway-config.js";
import { degradedCounters } from "../../src/engine/degraded-counters.js";
import { collect, textOf } from "../support/stream-events.js";
import { type TestModel, testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";
import { startValkeyServer, type ValkeyTestServer } from "../support/valkey-server.js";

const rateLimited: TestModel = {
  id: "demo:echo",
  provider: "demo",
  model: "echo",
  limits: { maxTokens: undefined, rate: { max: 1_000, timeWindowMs: 60_000 } },
};

let valkey: ValkeyTestServer;
let gateway: TestGateway | undefined;
let prefixCount = 0;

function statelessConfig(): GatewayConfig {
  return {
    // Words 20 ms apart: a stream reader waits for pub/sub wake-ups between them.
    ...testConfig({
      models: [rateLimited],
      providers: { demo: { type: "demo", demoDelayMs: 20 } },
    }),
    storage: {
      type: "valkey",
      url: valkey.url,
      keyPrefix: `degraded${++prefixCount}:`,
      // Without pub/sub a caught-up reader would only wake after the lease (see the timing check).
      streamLeaseMs: 5_000,
      tlsCaPath: undefined,
      tlsServername: undefined,
      cluster: false,
      whenUnavailable: "stateless",
    },
  };
}

/** Prompts without a session until the answer is stored again (the client reconnects on its own). */
async function waitUntilStateful(target: TestGateway): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await target.prompts.prompt({ prompt: "are you back" });
    if (answer.sessionId !== "") return answer.sessionId;
    if (Date.now() > deadline) throw new Error("the gateway did not become stateful again");
    await delay(50);
  }
}

async function expectUnavailableNamingValkey(call: Promise<unknown>): Promise<void> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConnectError);
  expect((error as ConnectError).code).toBe(Code.Unavailable);
  expect((error as ConnectError).rawMessage).toMatch(/Valkey/);
}

beforeAll(async () => {
  valkey = await startValkeyServer();
}, 20_000);
afterEach(async () => {
  await gateway?.shutdown();
  gateway = undefined;
});
afterAll(async () => {
  await valkey?.stop();
});

describe("storage.whenUnavailable: stateless", () => {
  it("keeps answering prompts without a session while Valkey is down, and only those", async () => {
    gateway = await startTestGateway(statelessConfig());
    const stored = await gateway.prompts.prompt({ prompt: "hello there" });
    expect(stored.sessionId).not.toBe("");

    await valkey.stop();
    const before = degradedCounters();
    let header: string | null = "unset";
    const answer = await gateway.prompts.prompt(
      { prompt: "still there" },
      { onHeader: (headers) => (header = headers.get("x-session-id")) },
    );
    expect(answer.text).toContain("still there");
    expect(answer.sessionId).toBe("");
    expect(header).toBeNull();
    const after = degradedCounters();
    expect(after.statelessPromptsTotal).toBe(before.statelessPromptsTotal + 1);
    expect(after.rateLimitFailOpenTotal).toBe(before.rateLimitFailOpenTotal + 1);

    await expectUnavailableNamingValkey(
      gateway.prompts.prompt({ prompt: "continue", sessionId: stored.sessionId }),
    );
    await expectUnavailableNamingValkey(collect(gateway.prompts.streamPrompt({ prompt: "go" })));
    await expectUnavailableNamingValkey(gateway.sessions.listSessions({}));

    await valkey.restart();
    const sessionId = await waitUntilStateful(gateway);
    const events = await collect(
      gateway.prompts.streamPrompt({ prompt: "streaming again", sessionId }),
    );
    expect(textOf(events)).toContain("streaming again");
    const session = await gateway.sessions.getSession({ sessionId });
    expect(session.session?.messageCount).toBeGreaterThanOrEqual(4);
  }, 30_000);

  it("starts while Valkey is down and becomes stateful once it is up", async () => {
    await valkey.stop();
    gateway = await startTestGateway(statelessConfig());
    const before = degradedCounters().statelessPromptsTotal;
    const answer = await gateway.prompts.prompt({ prompt: "no valkey yet" });
    expect(answer.text).toContain("no valkey yet");
    expect(answer.sessionId).toBe("");
    expect(degradedCounters().statelessPromptsTotal).toBe(before + 1);
    await expectUnavailableNamingValkey(collect(gateway.prompts.streamPrompt({ prompt: "go" })));

    await valkey.restart();
    const sessionId = await waitUntilStateful(gateway);
    // The stream store's subscriber, never connected at start, now wakes readers: the stream
    // ends well before a reader relying on the lease timeout alone could (5 s per wait).
    const startedAt = Date.now();
    const events = await collect(gateway.prompts.streamPrompt({ prompt: "live now", sessionId }));
    expect(textOf(events)).toContain("live now");
    expect(Date.now() - startedAt).toBeLessThan(2_500);
  }, 30_000);
});
