import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ModelState } from "../../gen/switchboard/v1/model_service_pb.js";
import { AttemptOutcome } from "../../gen/switchboard/v1/types_pb.js";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import { createManualClock } from "../support/manual-clock.js";
import { type TestConfigOverrides, testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

describe("rate limits and deadlines", () => {
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

  const fake = { fake: { type: "openai-compatible" as const, baseUrl: "", apiKey: "sk-test" } };

  async function start(overrides: TestConfigOverrides, now?: () => number) {
    gateway = await startTestGateway(
      testConfig({
        providers: { fake: { ...fake.fake, baseUrl: upstream.baseUrl } },
        ...overrides,
      }),
      { now },
    );
    return gateway;
  }

  it("admits exactly max requests per window to a model, then falls over, and reports it rate limited", async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const { prompts, models } = await start(
      {
        models: [
          {
            id: "fake:limited",
            provider: "fake",
            model: "limited",
            limits: { maxTokens: undefined, rate: { max: 2, timeWindowMs: 60_000 } },
          },
          "fake:ok",
        ],
      },
      clock.now,
    );
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await prompts.prompt({ prompt: `n${i}` }));
    expect(answers.map((answer) => answer.model)).toEqual([
      "fake:limited",
      "fake:limited",
      "fake:ok",
      "fake:ok",
    ]);
    expect(answers[2]!.attempts[0]?.outcome).toBe(AttemptOutcome.SKIPPED_RATE_LIMITED);
    expect(upstream.requestsFor("limited")).toHaveLength(2);
    const listed = await models.listModels({});
    expect(listed.models[0]?.state).toBe(ModelState.RATE_LIMITED);
    clock.advance(60_000);
    expect((await prompts.prompt({ prompt: "next window" })).model).toBe("fake:limited");
  });

  it("answers UNAVAILABLE with the window's reset as retry delay when the only model is over its limit", async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const { prompts } = await start(
      {
        models: [
          {
            id: "fake:limited",
            provider: "fake",
            model: "limited",
            limits: { maxTokens: undefined, rate: { max: 1, timeWindowMs: 30_000 } },
          },
        ],
      },
      clock.now,
    );
    await prompts.prompt({ prompt: "first" });
    clock.advance(10_000);
    const error = await prompts
      .prompt({ prompt: "second" })
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    const [retryInfo] = (error as ConnectError).findDetails(RetryInfoSchema);
    expect(Number(retryInfo?.retryDelay?.seconds)).toBe(20);
  });

  it("ends a Prompt with DEADLINE_EXCEEDED when the client's deadline is shorter than the model", async () => {
    const { prompts } = await start({
      models: ["fake:slow-first-token"],
      timeouts: { firstTokenMs: 10_000 },
    });
    const startedAt = Date.now();
    const error = await prompts
      .prompt({ prompt: "hurry" }, { timeoutMs: 300 })
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    // The upstream request was abandoned with the call, not left running.
    await expect(upstream.requestsFor("slow-first-token")[0]?.closed).resolves.toBe("closed-early");
  });

  it("ends a Prompt with DEADLINE_EXCEEDED after timeouts.total", async () => {
    const { prompts } = await start({
      models: ["fake:slow-first-token"],
      timeouts: { firstTokenMs: 10_000, totalMs: 300 },
    });
    const error = await prompts
      .prompt({ prompt: "hurry" })
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect((error as ConnectError).rawMessage).toMatch(/timeouts.total \(300 ms\)/);
  });
});
