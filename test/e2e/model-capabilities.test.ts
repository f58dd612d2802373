import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StreamPromptResponse } from "../../gen/switchboard/v1/prompt_service_pb.js";
import { AttemptOutcome } from "../../gen/switchboard/v1/types_pb.js";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import { type TestConfigOverrides, type TestModel, testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

const NO_LIMITS = { maxTokens: undefined, rate: undefined };

/** A model of the fake with the given capabilities. */
function fakeModel(model: string, capabilities: TestModel["capabilities"]): TestModel {
  return { id: `fake:${model}`, provider: "fake", model, limits: NO_LIMITS, capabilities };
}

describe("routing by model capabilities", () => {
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

  async function start(models: TestModel[], overrides: TestConfigOverrides = {}) {
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

  const outcomes = (attempts: readonly { model: string; outcome: AttemptOutcome }[]) =>
    attempts.map((attempt) => [attempt.model, AttemptOutcome[attempt.outcome]]);

  it("skips a model whose known window cannot hold the conversation, without calling it", async () => {
    const { prompts } = await start([
      fakeModel("ok:small", { contextWindowTokens: 100 }),
      fakeModel("ok:large", { contextWindowTokens: 100_000 }),
    ]);
    const answer = await prompts.prompt({ prompt: "many words ".repeat(200) });
    expect(answer.model).toBe("fake:ok:large");
    expect(outcomes(answer.attempts)).toEqual([
      ["fake:ok:small", "SKIPPED_CONTEXT_TOO_SMALL"],
      ["fake:ok:large", "SUCCEEDED"],
    ]);
    expect(answer.attempts[0]?.reason).toMatch(/more than its context window of 100/);
    expect(upstream.requestsFor("ok:small")).toHaveLength(0);
  });

  it("sends a short conversation to a small-window model", async () => {
    const { prompts } = await start([fakeModel("ok:small", { contextWindowTokens: 100 })]);
    const answer = await prompts.prompt({ prompt: "hi" });
    expect(answer.model).toBe("fake:ok:small");
  });

  it("after a context-too-long refusal tries only models with a larger window", async () => {
    const { prompts } = await start([
      fakeModel("context-length", { contextWindowTokens: 8_000 }),
      fakeModel("ok:same", { contextWindowTokens: 8_000 }),
      fakeModel("ok:unknown", {}),
      fakeModel("ok:larger", { contextWindowTokens: 128_000 }),
    ]);
    const answer = await prompts.prompt({ prompt: "a long story" });
    expect(outcomes(answer.attempts)).toEqual([
      ["fake:context-length", "CONTEXT_TOO_LONG"],
      ["fake:ok:same", "SKIPPED_CONTEXT_TOO_SMALL"],
      ["fake:ok:unknown", "SUCCEEDED"],
    ]);
    expect(answer.attempts[1]?.reason).toMatch(/no larger than that of fake:context-length/);
    expect(upstream.requestsFor("ok:same")).toHaveLength(0);
  });

  it("lowers a requested max_tokens to the model's largest answer", async () => {
    const { prompts } = await start([fakeModel("ok", { maxOutputTokens: 50 })]);
    await prompts.prompt({ prompt: "long please", options: { maxTokens: 1_000 } });
    await prompts.prompt({ prompt: "short please", options: { maxTokens: 20 } });
    await prompts.prompt({ prompt: "no limit asked" });
    const sent = upstream
      .requestsFor("ok")
      .map((request) => (request.body as { max_tokens?: number }).max_tokens);
    expect(sent).toEqual([50, 20, undefined]);
  });

  it("restarts instead of continuing on a model known not to take a prefill", async () => {
    const { prompts } = await start(
      [
        fakeModel("cut-mid-stream", {}),
        {
          id: "demo:echo",
          provider: "demo",
          model: "echo",
          limits: NO_LIMITS,
          capabilities: { prefill: false },
        },
      ],
      { streaming: { midStreamFailure: "continue" } },
    );
    const events: StreamPromptResponse[] = [];
    for await (const event of prompts.streamPrompt({ prompt: "go on" })) events.push(event);
    const switched = events.find((event) => event.event.case === "modelSwitched")?.event;
    expect(switched?.case === "modelSwitched" && switched.value).toMatchObject({
      toModel: "demo:echo",
      discardPreviousText: true,
    });
    expect(events.at(-1)?.event.case).toBe("completed");
  });
});
