import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { AttemptTrailSchema } from "../../gen/switchboard/v1/errors_pb.js";
import { ModelState } from "../../gen/switchboard/v1/model_service_pb.js";
import { AttemptOutcome, Result } from "../../gen/switchboard/v1/types_pb.js";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import { createManualClock, type ManualClock } from "../support/manual-clock.js";
import { collect, textOf } from "../support/stream-events.js";
import { type TestConfigOverrides, testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

const prompt = "tell me something";

function outcomes(attempts: readonly { model: string; outcome: AttemptOutcome }[]) {
  return attempts.map((attempt) => [attempt.model, AttemptOutcome[attempt.outcome]]);
}

describe("fallback against a misbehaving OpenAI-compatible upstream", () => {
  let upstream: FakeOpenAi;
  let gateway: TestGateway | undefined;
  let clock: ManualClock;

  beforeAll(async () => {
    upstream = await startFakeOpenAi();
  });
  afterAll(() => upstream.close());
  afterEach(async () => {
    await gateway?.shutdown();
    gateway = undefined;
    upstream.reset();
  });

  /** A gateway whose route is the given fake models, in order. */
  async function route(models: string[], overrides: TestConfigOverrides = {}) {
    clock = createManualClock();
    gateway = await startTestGateway(
      testConfig({
        providers: {
          fake: { type: "openai-compatible", baseUrl: upstream.baseUrl, apiKey: "sk-test" },
        },
        models: models.map((model) => `fake:${model}`),
        ...overrides,
      }),
      { now: clock.now },
    );
    return gateway;
  }

  it("retries a 500 on the same model and answers from it", async () => {
    const { prompts } = await route(["fail-once-500", "ok"]);
    const answer = await prompts.prompt({ prompt });
    expect(answer.model).toBe("fake:fail-once-500");
    expect(outcomes(answer.attempts)).toEqual([
      ["fake:fail-once-500", "OVERLOADED"],
      ["fake:fail-once-500", "SUCCEEDED"],
    ]);
    expect(upstream.requestsFor("fail-once-500")).toHaveLength(2);
    expect(upstream.requestsFor("ok")).toHaveLength(0);
    expect(answer.result).toBe(Result.COMPLETE);
  });

  it("falls over after bounded retries of a persistent 503, reporting the fallback's model and usage", async () => {
    const { prompts } = await route(["always-503", "ok"]);
    const answer = await prompts.prompt({ prompt });
    expect(upstream.requestsFor("always-503")).toHaveLength(3);
    expect(answer.model).toBe("fake:ok");
    expect(answer.usage?.outputTokens).toBeGreaterThan(0);
    expect(outcomes(answer.attempts)).toEqual([
      ["fake:always-503", "OVERLOADED"],
      ["fake:always-503", "OVERLOADED"],
      ["fake:always-503", "OVERLOADED"],
      ["fake:ok", "SUCCEEDED"],
    ]);
  });

  it("waits out a short Retry-After on a 429 and retries the same model once", async () => {
    const { prompts } = await route(["rate-limited-retry-after-2", "ok"]);
    const startedAt = Date.now();
    const answer = await prompts.prompt({ prompt });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_900);
    expect(answer.model).toBe("fake:rate-limited-retry-after-2");
    expect(upstream.requestsFor("rate-limited-retry-after-2")).toHaveLength(2);
  });

  it("falls over at once on a 429 without Retry-After and does not ask that model again while it cools down", async () => {
    const { prompts, models } = await route(["always-429", "ok"]);
    expect((await prompts.prompt({ prompt })).model).toBe("fake:ok");
    const second = await prompts.prompt({ prompt });
    expect(second.model).toBe("fake:ok");
    expect(outcomes(second.attempts)[0]).toEqual(["fake:always-429", "SKIPPED_COOLING_DOWN"]);
    expect(upstream.requestsFor("always-429")).toHaveLength(1);
    const listed = await models.listModels({});
    expect(listed.models[0]?.state).toBe(ModelState.COOLING_DOWN);
    expect(listed.models[0]?.availableTime).toBeDefined();
  });

  it("retries a connection reset before headers, then falls over", async () => {
    const { prompts } = await route(["reset-before-headers", "ok"]);
    const answer = await prompts.prompt({ prompt });
    expect(answer.model).toBe("fake:ok");
    expect(upstream.requestsFor("reset-before-headers")).toHaveLength(3);
    expect(
      outcomes(answer.attempts)
        .slice(0, 3)
        .every(([, outcome]) => outcome === "UNREACHABLE"),
    ).toBe(true);
  });

  it("times out a model that never answers, does not retry it, and falls over", async () => {
    const { prompts } = await route(["no-response", "ok"], { timeouts: { headersMs: 300 } });
    const answer = await prompts.prompt({ prompt });
    expect(answer.model).toBe("fake:ok");
    expect(upstream.requestsFor("no-response")).toHaveLength(1);
    expect(outcomes(answer.attempts)[0]).toEqual(["fake:no-response", "TIMEOUT"]);
  });

  it("falls over when the first token is slower than the time-to-first-token limit", async () => {
    const { prompts } = await route(["slow-first-token", "ok"], {
      timeouts: { firstTokenMs: 400 },
    });
    const answer = await prompts.prompt({ prompt });
    expect(answer.model).toBe("fake:ok");
    expect(upstream.requestsFor("slow-first-token")).toHaveLength(1);
    expect(outcomes(answer.attempts)[0]).toEqual(["fake:slow-first-token", "TIMEOUT"]);
  });

  it("restarts on the fallback after a stream is cut mid-answer, announcing model_switched", async () => {
    const { prompts } = await route(["cut-mid-stream", "ok"]);
    const events = await collect(prompts.streamPrompt({ prompt }));
    const kinds = events.map((event) => event.event.case);
    expect(kinds[0]).toBe("started");
    expect(kinds.at(-1)).toBe("completed");
    const switched = events.find((event) => event.event.case === "modelSwitched")?.event;
    expect(switched?.case === "modelSwitched" && switched.value).toMatchObject({
      fromModel: "fake:cut-mid-stream",
      toModel: "fake:ok",
      discardPreviousText: true,
    });
    // Text arrived before the switch: the commit point had been passed.
    expect(kinds.indexOf("delta")).toBeLessThan(kinds.indexOf("modelSwitched"));
    const completed = events.at(-1)!.event;
    expect(completed.case === "completed" && completed.value.model).toBe("fake:ok");
    const unary = await prompts.prompt({ prompt });
    expect(textOf(events)).toBe(unary.text);
    expect(unary.model).toBe("fake:ok");
  });

  it("treats a stalled stream as a failure and completes on the fallback", async () => {
    const { prompts } = await route(["stall-mid-stream", "ok"], { timeouts: { stallMs: 300 } });
    const events = await collect(prompts.streamPrompt({ prompt }));
    const completed = events.at(-1)!.event;
    expect(completed.case === "completed" && completed.value.model).toBe("fake:ok");
    expect(events.some((event) => event.event.case === "modelSwitched")).toBe(true);
  });

  it("skips a malformed chunk without putting garbage in the text", async () => {
    const { prompts } = await route(["malformed-chunk"]);
    const answer = await prompts.prompt({ prompt });
    expect(answer.result).toBe(Result.COMPLETE);
    expect(answer.text).not.toMatch(/not json|[{}]/);
    expect(answer.text.length).toBeGreaterThan(0);
  });

  it("finishes promptly with usage when the upstream never sends [DONE]", async () => {
    const { prompts } = await route(["no-done"]);
    const startedAt = Date.now();
    const answer = await prompts.prompt({ prompt });
    expect(Date.now() - startedAt).toBeLessThan(1_500);
    expect(answer.result).toBe(Result.COMPLETE);
    expect(answer.usage?.inputTokens).toBeGreaterThan(0);
  });

  it("does not resend a too-long context to the same model and falls over", async () => {
    const { prompts } = await route(["context-length", "ok"]);
    const answer = await prompts.prompt({ prompt });
    expect(answer.model).toBe("fake:ok");
    expect(upstream.requestsFor("context-length")).toHaveLength(1);
    expect(outcomes(answer.attempts)[0]).toEqual(["fake:context-length", "CONTEXT_TOO_LONG"]);
  });

  it("returns the provider's reason for a content filter as FAILED_PRECONDITION without retrying", async () => {
    const { prompts } = await route(["content-filter", "ok"]);
    const error = await prompts.prompt({ prompt }).catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((error as ConnectError).rawMessage).toMatch(/content/i);
    expect(upstream.requestsFor("content-filter")).toHaveLength(1);
    expect(upstream.requestsFor("ok")).toHaveLength(0);
  });

  it("disables a model whose key is refused and falls over", async () => {
    const { prompts, models } = await route(["unauthorized", "ok"]);
    expect((await prompts.prompt({ prompt })).model).toBe("fake:ok");
    const second = await prompts.prompt({ prompt });
    expect(outcomes(second.attempts)[0]).toEqual(["fake:unauthorized", "SKIPPED_DISABLED"]);
    expect(upstream.requestsFor("unauthorized")).toHaveLength(1);
    const listed = await models.listModels({});
    expect(listed.models[0]?.state).toBe(ModelState.DISABLED);
    expect(listed.models[0]?.lastError).toMatch(/401/);
  });

  it("serves from the fallback while the primary is down and returns to the primary after recovery", async () => {
    const { prompts } = await route(["primary", "ok"], { restore: { providerErrorMs: 10_000 } });
    upstream.setFault("primary", "always-503");
    expect((await prompts.prompt({ prompt })).model).toBe("fake:ok");
    expect((await prompts.prompt({ prompt })).model).toBe("fake:ok");
    expect(upstream.requestsFor("primary")).toHaveLength(3);
    upstream.setFault("primary", undefined);
    clock.advance(10_001);
    const recovered = await prompts.prompt({ prompt });
    expect(recovered.model).toBe("fake:primary");
    expect((await prompts.prompt({ prompt })).model).toBe("fake:primary");
  });

  it("answers UNAVAILABLE with every attempt and a retry delay when no model can answer", async () => {
    const { prompts } = await route(["always-503", "always-429"], { retry: { maxRetries: 1 } });
    const error = await prompts.prompt({ prompt }).catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    const [trail] = (error as ConnectError).findDetails(AttemptTrailSchema);
    expect(outcomes(trail?.attempts ?? [])).toEqual([
      ["fake:always-503", "OVERLOADED"],
      ["fake:always-503", "OVERLOADED"],
      ["fake:always-429", "RATE_LIMITED"],
    ]);
    const again = await prompts.prompt({ prompt }).catch((e: unknown) => ConnectError.from(e));
    const [retryInfo] = (again as ConnectError).findDetails(RetryInfoSchema);
    expect(Number(retryInfo?.retryDelay?.seconds ?? 0)).toBeGreaterThan(0);
  });
});
