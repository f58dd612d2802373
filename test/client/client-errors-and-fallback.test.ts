import { createConnectTransport } from "@connectrpc/connect-web";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AttemptOutcome,
  type ClientStreamEvent,
  Code,
  createSwitchboardClient,
  type SwitchboardClient,
  SwitchboardError,
} from "../../client/src/index.js";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import { type TestConfigOverrides, testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

const prompt = "tell me something";

async function collect(events: AsyncIterable<ClientStreamEvent>): Promise<ClientStreamEvent[]> {
  const all: ClientStreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

function outcomes(error: SwitchboardError) {
  return error.attempts.map((attempt) => [attempt.model, AttemptOutcome[attempt.outcome]]);
}

describe("the TypeScript client against a misbehaving OpenAI-compatible upstream", () => {
  let upstream: FakeOpenAi;
  let gateway: TestGateway | undefined;
  /** Requests the client sent over HTTP, counted by its fetch. */
  let requests = 0;

  beforeAll(async () => {
    upstream = await startFakeOpenAi();
  });
  afterAll(() => upstream.close());
  afterEach(async () => {
    await gateway?.shutdown();
    gateway = undefined;
    upstream.reset();
  });

  /** A gateway whose route is the given fake models, and a client that counts its requests. */
  async function route(models: string[], overrides: TestConfigOverrides = {}) {
    gateway = await startTestGateway(
      testConfig({
        providers: {
          fake: { type: "openai-compatible", baseUrl: upstream.baseUrl, apiKey: "sk-test" },
        },
        models: models.map((model) => `fake:${model}`),
        ...overrides,
      }),
    );
    requests = 0;
    const transport = createConnectTransport({
      baseUrl: gateway.url,
      fetch: (input, init) => {
        requests += 1;
        return fetch(input, init);
      },
    });
    return createSwitchboardClient({ baseUrl: gateway.url, transport });
  }

  it("yields restart when the answering model is cut mid-answer, and completes with the fallback's whole text", async () => {
    const client: SwitchboardClient = await route(["cut-mid-stream", "ok"]);
    const events = await collect(client.stream({ prompt }));
    const types = events.map((event) => event.type);
    expect(types.indexOf("text")).toBeLessThan(types.indexOf("restart"));
    const restart = events.find((event) => event.type === "restart");
    expect(restart).toMatchObject({ fromModel: "fake:cut-mid-stream", toModel: "fake:ok" });
    const completed = events.at(-1);
    if (completed?.type !== "completed") throw new Error("the last event is not completed");
    expect(completed.model).toBe("fake:ok");
    const afterRestart = events.slice(types.indexOf("restart"));
    const textAfterRestart = afterRestart.map((e) => (e.type === "text" ? e.text : "")).join("");
    expect(completed.text).toBe(textAfterRestart);
    expect(completed.text).toBe((await client.ask({ prompt })).text);
  });

  it("throws SwitchboardError UNAVAILABLE with every attempt, and does not resume the gateway's own status", async () => {
    const client = await route(["always-503"], { retry: { maxRetries: 1 } });
    const asked = await client.ask({ prompt }).catch((e: unknown) => e);
    expect(asked).toBeInstanceOf(SwitchboardError);
    expect((asked as SwitchboardError).code).toBe(Code.Unavailable);
    expect(outcomes(asked as SwitchboardError)).toEqual([
      ["fake:always-503", "OVERLOADED"],
      ["fake:always-503", "OVERLOADED"],
    ]);
    requests = 0;
    const streamed = await collect(client.stream({ prompt }, { backoffMs: 1 })).catch(
      (e: unknown) => e,
    );
    expect(streamed).toBeInstanceOf(SwitchboardError);
    expect((streamed as SwitchboardError).code).toBe(Code.Unavailable);
    expect((streamed as SwitchboardError).attempts.length).toBeGreaterThan(0);
    expect(requests).toBe(1);
  });

  it("reports the gateway's retry delay as retryAfterMs", async () => {
    const client = await route(["always-429"]);
    await client.ask({ prompt }).catch(() => undefined);
    const again = await client.ask({ prompt }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(SwitchboardError);
    expect(outcomes(again as SwitchboardError)[0]).toEqual([
      "fake:always-429",
      "SKIPPED_COOLING_DOWN",
    ]);
    expect((again as SwitchboardError).retryAfterMs).toBeGreaterThan(0);
  });
});
