import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StreamPromptResponse } from "../../gen/switchboard/v1/prompt_service_pb.js";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import { type TestConfigOverrides, testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

interface UpstreamBody {
  readonly messages: { role: string; content: string }[];
  readonly max_tokens?: number;
}

describe("what reaches the upstream model", () => {
  let upstream: FakeOpenAi;
  let gateway: TestGateway | undefined;

  beforeAll(async () => {
    upstream = await startFakeOpenAi();
  });
  afterAll(() => upstream.close());
  afterEach(async () => {
    await gateway?.shutdown();
    gateway = undefined;
    upstream.reset();
  });

  async function start(models: string[], overrides: TestConfigOverrides = {}) {
    gateway = await startTestGateway(
      testConfig({
        providers: {
          fake: { type: "openai-compatible", baseUrl: upstream.baseUrl, apiKey: "sk-test" },
          demo: { type: "demo" },
        },
        models,
        ...overrides,
      }),
    );
    return gateway;
  }

  const bodies = (model: string) =>
    upstream.requestsFor(model).map((request) => request.body as UpstreamBody);

  it("sends turn 1 and the session's system text with turn 2", async () => {
    const { prompts } = await start(["fake:ok"]);
    const first = await prompts.prompt({ prompt: "What is 2+2?", system: "Answer briefly." });
    await prompts.prompt({ prompt: "And times 3?", sessionId: first.sessionId, system: "ignored" });
    const second = bodies("ok")[1]!;
    expect(second.messages).toEqual([
      { role: "system", content: "Answer briefly." },
      { role: "user", content: "What is 2+2?" },
      { role: "assistant", content: first.text },
      { role: "user", content: "And times 3?" },
    ]);
  });

  it("trims the history to the configured window, oldest first", async () => {
    const { prompts } = await start(["fake:ok"], { sessions: { historyMaxMessages: 2 } });
    const { sessionId } = await prompts.prompt({ prompt: "one", system: "sys" });
    await prompts.prompt({ prompt: "two", sessionId });
    await prompts.prompt({ prompt: "three", sessionId });
    const third = bodies("ok")[2]!;
    expect(
      third.messages.map(
        (message) => `${message.role}:${message.content.split(":").at(-1)?.trim()}`,
      ),
    ).toEqual(["system:sys", "user:two", "assistant:two", "user:three"]);
  });

  it("caps max_tokens at the model's configured limit", async () => {
    const { prompts } = await start([], {
      models: [
        { id: "fake:ok", provider: "fake", model: "ok", limits: { maxTokens: 5, rate: undefined } },
      ],
    });
    await prompts.prompt({ prompt: "long please", options: { maxTokens: 100 } });
    await prompts.prompt({ prompt: "default" });
    expect(bodies("ok").map((body) => body.max_tokens)).toEqual([5, 5]);
  });

  it("fails the stream after its text when midStreamFailure is fail, and stores nothing", async () => {
    const { prompts, sessions } = await start(["fake:cut-mid-stream", "fake:ok"], {
      streaming: { midStreamFailure: "fail" },
    });
    const events: StreamPromptResponse[] = [];
    const error = await (async () => {
      for await (const event of prompts.streamPrompt({ prompt: "go" })) events.push(event);
    })().catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect(events.some((event) => event.event.case === "delta")).toBe(true);
    expect(events.some((event) => event.event.case === "completed")).toBe(false);
    expect(upstream.requestsFor("ok")).toHaveLength(0);
    const started = events[0]!.event;
    if (started.case !== "started") throw new Error("first event is not started");
    const { session } = await sessions.getSession({ sessionId: started.value.sessionId });
    expect(session?.messageCount).toBe(0);
  });

  it("continues from the partial text on a prefill-capable model when midStreamFailure is continue", async () => {
    const { prompts } = await start(["fake:cut-mid-stream", "demo:echo"], {
      streaming: { midStreamFailure: "continue" },
    });
    const events: StreamPromptResponse[] = [];
    for await (const event of prompts.streamPrompt({ prompt: "go on" })) events.push(event);
    const switched = events.find((event) => event.event.case === "modelSwitched")?.event;
    expect(switched?.case === "modelSwitched" && switched.value).toMatchObject({
      fromModel: "fake:cut-mid-stream",
      toModel: "demo:echo",
      discardPreviousText: false,
    });
    expect(events.at(-1)?.event.case).toBe("completed");
  });
});
