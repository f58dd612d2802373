import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StreamPromptResponse } from "../../gen/switchboard/v1/prompt_service_pb.js";
import { AttemptOutcome } from "../../gen/switchboard/v1/types_pb.js";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../fakes/anthropic/fake-anthropic-server.js";
import { type FakeBedrock, startFakeBedrock } from "../fakes/bedrock/fake-bedrock-server.js";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import {
  FAKE_GEMINI_API_KEY,
  type FakeGemini,
  startFakeGemini,
} from "../fakes/gemini/fake-gemini-server.js";
import { type TestConfigOverrides, testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

/** The Bedrock provider reads the standard AWS chain; the test gives it static keys this way. */
const AWS_ENV = {
  AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
  AWS_SECRET_ACCESS_KEY: "fake-secret-access-key",
} as const;

const CLAUDE = "claude-3-5-haiku-20241022";
const BEDROCK_CLAUDE = "anthropic.claude-3-5-haiku-20241022-v1:0";

describe("every wire format through Prompt and StreamPrompt", () => {
  let openai: FakeOpenAi;
  let anthropic: FakeAnthropic;
  let gemini: FakeGemini;
  let bedrock: FakeBedrock;
  let gateway: TestGateway | undefined;
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const [name, value] of Object.entries(AWS_ENV)) {
      savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
    [openai, anthropic, gemini, bedrock] = await Promise.all([
      startFakeOpenAi(),
      startFakeAnthropic(),
      startFakeGemini(),
      startFakeBedrock({ region: "eu-central-1" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([openai.close(), anthropic.close(), gemini.close(), bedrock.close()]);
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterEach(async () => {
    await gateway?.shutdown();
    gateway = undefined;
    for (const fake of [openai, anthropic, gemini, bedrock]) fake.reset();
  });

  async function start(models: string[], overrides: TestConfigOverrides = {}) {
    gateway = await startTestGateway(
      testConfig({
        providers: {
          oai: { type: "openai", baseUrl: openai.baseUrl, apiKey: "sk-test" },
          claude: { type: "anthropic", baseUrl: anthropic.baseUrl, apiKey: "sk-ant-test" },
          google: { type: "gemini", baseUrl: gemini.baseUrl, apiKey: FAKE_GEMINI_API_KEY },
          aws: { type: "bedrock", baseUrl: bedrock.baseUrl, region: "eu-central-1" },
          azure: { type: "azure-openai", baseUrl: openai.origin, apiKey: "azure-key" },
          groq: { type: "groq", baseUrl: `${openai.origin}/openai/v1`, apiKey: "gsk-test" },
        },
        models,
        ...overrides,
      }),
    );
    return gateway;
  }

  const textOf = (events: StreamPromptResponse[]) =>
    events.map((event) => (event.event.case === "delta" ? event.event.value.text : "")).join("");

  const cases = [
    ["openai", "oai:gpt-4o-mini", "gpt-4o-mini"],
    ["anthropic", `claude:${CLAUDE}`, CLAUDE],
    ["gemini", "google:gemini-2.5-flash", "gemini-2.5-flash"],
    ["bedrock", `aws:${BEDROCK_CLAUDE}`, BEDROCK_CLAUDE],
    ["azure-openai", "azure:my-gpt-4o", "my-gpt-4o"],
    ["the groq preset", "groq:llama-3.3-70b-versatile", "llama-3.3-70b-versatile"],
  ] as const;

  for (const [wire, id, model] of cases) {
    it(`answers a Prompt and a StreamPrompt through ${wire}`, async () => {
      const { prompts } = await start([id]);
      const answer = await prompts.prompt({ prompt: "Hello there", system: "Be brief." });
      expect(answer.text).toBe(`Answer from ${model}: Hello there`);
      expect(answer.model).toBe(id);
      expect(answer.usage?.outputTokens).toBeGreaterThan(0);
      expect(answer.usage?.inputTokens).toBeGreaterThan(0);

      const events: StreamPromptResponse[] = [];
      for await (const event of prompts.streamPrompt({ prompt: "Stream it" })) events.push(event);
      const deltas = events.filter((event) => event.event.case === "delta");
      // Deltas that arrive in one network read go on as one.
      expect(deltas.length).toBeGreaterThanOrEqual(1);
      expect(textOf(events)).toBe(`Answer from ${model}: Stream it`);
      const last = events.at(-1)?.event;
      expect(last?.case === "completed" && last.value.model).toBe(id);
    });
  }

  it("falls back across four wire formats and reports every attempt", async () => {
    const { prompts } = await start(
      ["claude:always-529", "google:always-503", "aws:throttled", "oai:gpt-4o-mini"],
      { retry: { maxRetries: 0 } },
    );
    const answer = await prompts.prompt({ prompt: "Anyone?" });
    expect(answer.text).toBe("Answer from gpt-4o-mini: Anyone?");
    expect(
      answer.attempts.map((attempt) => [attempt.model, AttemptOutcome[attempt.outcome]]),
    ).toEqual([
      ["claude:always-529", "OVERLOADED"],
      ["google:always-503", "OVERLOADED"],
      ["aws:throttled", "RATE_LIMITED"],
      ["oai:gpt-4o-mini", "SUCCEEDED"],
    ]);
  });

  it("continues a broken OpenAI answer on Claude from the text already sent", async () => {
    const { prompts } = await start(["oai:cut-mid-stream", `claude:${CLAUDE}`], {
      streaming: { midStreamFailure: "continue" },
    });
    const events: StreamPromptResponse[] = [];
    for await (const event of prompts.streamPrompt({ prompt: "go on" })) events.push(event);
    const switchedEvent = events.find((event) => event.event.case === "modelSwitched");
    const switched = switchedEvent?.event;
    expect(switched?.case === "modelSwitched" && switched.value.discardPreviousText).toBe(false);
    const partial = textOf(events.slice(0, events.indexOf(switchedEvent!)));
    const sent = anthropic.requestsFor(CLAUDE)[0]?.body as {
      messages: { role: string; content: string }[];
    };
    expect(sent.messages.at(-1)).toEqual({ role: "assistant", content: partial.trimEnd() });
    expect(textOf(events)).toBe(`${partial.trimEnd()} and the rest from ${CLAUDE}.`);
    expect(events.at(-1)?.event.case).toBe("completed");
  });

  it("sends Claude's largest answer as max_tokens when the request sets none", async () => {
    const { prompts } = await start([`claude:${CLAUDE}`], {
      models: [
        {
          id: `claude:${CLAUDE}`,
          provider: "claude",
          model: CLAUDE,
          limits: { maxTokens: undefined, rate: undefined },
          capabilities: { maxOutputTokens: 8_192 },
        },
      ],
    });
    await prompts.prompt({ prompt: "no limit" });
    await prompts.prompt({ prompt: "small", options: { maxTokens: 100 } });
    const sent = anthropic
      .requestsFor(CLAUDE)
      .map((request) => (request.body as { max_tokens: number }).max_tokens);
    expect(sent).toEqual([8_192, 100]);
  });
});
