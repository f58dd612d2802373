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

  describe("server.limits.maxConcurrentGenerations", () => {
    const SLOW = "slow-first-token-10000";
    const slow = {
      models: [`fake:${SLOW}`, "fake:ok", "fake:always-503"],
      timeouts: { firstTokenMs: 20_000, stallMs: 20_000 },
    };

    /** The error code of a call, or "ok" when it succeeds. */
    async function outcomeOf(call: Promise<unknown>): Promise<Code | "ok"> {
      return call.then(
        () => "ok" as const,
        (e: unknown) => ConnectError.from(e).code,
      );
    }

    /** Starts a StreamPrompt and leaves after `started` (its generation runs on); its first event. */
    async function startStream(
      gatewayUnderTest: TestGateway,
      request: { prompt?: string; models?: string[]; sessionId?: string; resumeLatest?: boolean },
    ) {
      for await (const event of gatewayUnderTest.prompts.streamPrompt(request)) return event;
      throw new Error("the stream ended without an event");
    }

    it("refuses a Prompt or a new StreamPrompt beyond the limit with RESOURCE_EXHAUSTED and a retry delay, before storing anything or calling a provider", async () => {
      const gw = await start({ ...slow, server: { maxConcurrentGenerations: 2 } });
      const leave = new AbortController();
      // A Prompt and a detached StreamPrompt generation take the two slots.
      const prompting = outcomeOf(gw.prompts.prompt({ prompt: "one" }, { signal: leave.signal }));
      const stream = await startStream(gw, { prompt: "two" });
      if (stream.event.case !== "started") throw new Error("the first event is not started");
      await upstream.waitForRequests(2, SLOW);

      for (const refused of [
        gw.prompts.prompt({ prompt: "three", models: ["fake:ok"] }),
        startStream(gw, { prompt: "three", models: ["fake:ok"] }),
      ]) {
        const error = await refused.catch((e: unknown) => ConnectError.from(e));
        expect(error).toBeInstanceOf(ConnectError);
        expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
        expect((error as ConnectError).rawMessage).toBe(
          "the gateway is at its limit of 2 concurrent generations; retry in a second",
        );
        const [retryInfo] = (error as ConnectError).findDetails(RetryInfoSchema);
        expect(Number(retryInfo?.retryDelay?.seconds)).toBe(1);
      }
      expect((await gw.sessions.listSessions({})).sessions).toHaveLength(2);
      expect(upstream.requestsFor("ok")).toHaveLength(0);

      // Replaying a running stream starts no generation and takes no slot.
      const { sessionId } = stream.event.value;
      const replayed = await startStream(gw, { sessionId, resumeLatest: true });
      expect(replayed.event.case === "started" && replayed.event.value.resumed).toBe(true);

      // The Prompt's client leaves and the stream is canceled: both slots come back, once each.
      leave.abort();
      expect(await prompting).toBe(Code.Canceled);
      await gw.prompts.cancelStream({ streamId: stream.event.value.streamId });
      const running: string[] = [];
      const admitted = async (): Promise<boolean> => {
        const event = await startStream(gw, { prompt: "again", models: [`fake:${SLOW}`] }).catch(
          (e: unknown) => {
            expect(ConnectError.from(e).code).toBe(Code.ResourceExhausted);
            return undefined;
          },
        );
        if (event?.event.case === "started") running.push(event.event.value.streamId);
        return event !== undefined;
      };
      await expect.poll(admitted, { timeout: 5_000 }).toBe(true);
      await expect.poll(admitted, { timeout: 5_000 }).toBe(true);
      expect(await admitted()).toBe(false);
      // Ended now, so that shutdown does not wait for them.
      for (const streamId of running) await gw.prompts.cancelStream({ streamId });
    });

    it("frees the slot of a generation that fails, however it fails", async () => {
      const gw = await start({ ...slow, server: { maxConcurrentGenerations: 1 } });
      const unknownSession = "6f1c1a52-3f0e-4a7e-9a56-1f2f0c0f9d11";
      expect(await outcomeOf(gw.prompts.prompt({ prompt: "x", sessionId: unknownSession }))).toBe(
        Code.NotFound,
      );
      expect(await outcomeOf(gw.prompts.prompt({ prompt: " " }))).toBe(Code.InvalidArgument);
      const failing = { prompt: "x", models: ["fake:always-503"] };
      expect(await outcomeOf(gw.prompts.prompt(failing))).toBe(Code.Unavailable);
      const streamed = (async () => {
        for await (const _ of gw.prompts.streamPrompt(failing)) {
          // Reads `started`, then the stream fails.
        }
      })();
      expect(await outcomeOf(streamed)).toBe(Code.Unavailable);
      expect(
        await outcomeOf(
          gw.prompts
            .streamPrompt({ prompt: "x", sessionId: unknownSession })
            [Symbol.asyncIterator]()
            .next(),
        ),
      ).toBe(Code.NotFound);
      const answer = await gw.prompts.prompt({ prompt: "finally", models: ["fake:ok"] });
      expect(answer.text).toContain("finally");
    });
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
