import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatProvider } from "../../src/providers/chat-provider.js";
import { createOpenAiCompatibleProvider } from "../../src/providers/openai/openai-compatible-provider.js";
import type { FailureKind } from "../../src/providers/provider-error.js";
import { type FakeOpenAi, fakeAnswer, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import {
  call,
  collect,
  config,
  failureOf,
  promptCharacters,
  request,
} from "./openai-provider-harness.js";

describe("createOpenAiCompatibleProvider against a fake OpenAI server", () => {
  let fake: FakeOpenAi;
  let provider: ChatProvider;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    // A trailing slash on the base URL must not double the path separator.
    provider = createOpenAiCompatibleProvider(config({ baseUrl: `${fake.baseUrl}/` }));
  });

  afterAll(async () => {
    await fake.close();
    await provider.close();
  });

  it("streams an answer whose deltas concatenate to the text, then finish with usage", async () => {
    const { events, text, finish } = await collect(provider, call("ok"));
    const expected = fakeAnswer("ok", request.messages);
    expect(text).toBe(expected);
    expect(events.filter((event) => event.type === "delta").length).toBeGreaterThanOrEqual(1);
    expect(finish).toEqual({
      type: "finish",
      reason: "stop",
      usage: {
        inputTokens: Math.ceil(promptCharacters / 4),
        outputTokens: expected.split(" ").length,
      },
    });
  });

  it("sends the conversation, options and headers upstream in the OpenAI format", async () => {
    await collect(provider, call("ok:body"));
    const [sent] = fake.requestsFor("ok:body");
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe("/v1/chat/completions");
    expect(sent?.headers.authorization).toBe("Bearer sk-test-secret");
    expect(sent?.headers["x-team"]).toBe("search");
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(sent?.headers.accept).toBe("text/event-stream");
    expect(sent?.body).toEqual({
      model: "ok:body",
      messages: request.messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
      temperature: 0.3,
      top_p: 0.8,
      stop: ["END"],
    });
  });

  it("sends max_completion_tokens and no authorization without a key for type openai", async () => {
    const openai = createOpenAiCompatibleProvider(
      config({ type: "openai", baseUrl: fake.baseUrl, apiKey: undefined, headers: {} }),
    );
    try {
      await collect(openai, call("ok:openai-type"));
    } finally {
      await openai.close();
    }
    const [sent] = fake.requestsFor("ok:openai-type");
    expect(sent?.body).toMatchObject({ max_completion_tokens: 50 });
    expect(sent?.body).not.toHaveProperty("max_tokens");
    expect(sent?.headers.authorization).toBeUndefined();
  });

  it.each<[string, FailureKind, number | undefined]>([
    ["reset-before-headers", "unreachable", undefined],
    ["fail-once-500", "overloaded", 500],
    ["always-503", "overloaded", 503],
    ["always-429", "rate_limited", 429],
    ["insufficient-quota", "rate_limited", 429],
    ["unauthorized", "unauthorized", 401],
    ["context-length", "context_too_long", 400],
    ["content-filter", "content_filtered", 400],
    ["status-422", "rejected", 422],
    ["cut-mid-stream", "interrupted", undefined],
    ["end-mid-stream", "interrupted", undefined],
    ["malformed-chunks-4", "malformed", undefined],
  ])("classifies the fault %s as %s", async (fault, kind, status) => {
    const error = await failureOf(provider, call(`${fault}:table`));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.message).not.toContain("sk-test-secret");
  });

  it("gives the provider's own message for a content filter", async () => {
    const error = await failureOf(provider, call("content-filter:message"));
    expect(error.message).toMatch(
      /^local: HTTP 400: The response was filtered due to the prompt triggering Azure OpenAI's/,
    );
  });

  it("reports Retry-After of a 429 in milliseconds, then answers the next request", async () => {
    const error = await failureOf(provider, call("rate-limited-retry-after-2"));
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBe(2000);
    expect(error.status).toBe(429);
    const { finish } = await collect(provider, call("rate-limited-retry-after-2"));
    expect(finish).toMatchObject({ type: "finish", reason: "stop" });
  });

  it("finishes promptly with usage when the server never sends [DONE]", async () => {
    const startedMs = Date.now();
    const { finish } = await collect(provider, call("no-done"));
    expect(Date.now() - startedMs).toBeLessThan(1500);
    expect(finish).toMatchObject({
      type: "finish",
      reason: "stop",
      usage: { inputTokens: Math.ceil(promptCharacters / 4) },
    });
  });

  it("finishes within the grace time, without usage, when only the finish reason arrives", async () => {
    const startedMs = Date.now();
    const { finish } = await collect(provider, call("no-usage-no-done"));
    expect(Date.now() - startedMs).toBeLessThan(1500);
    expect(finish).toEqual({ type: "finish", reason: "stop", usage: undefined });
    expect(await fake.requestsFor("no-usage-no-done")[0]?.closed).toBe("closed-early");
  });

  it("skips a malformed chunk and still delivers the whole answer", async () => {
    const { text, finish } = await collect(provider, call("malformed-chunk"));
    expect(text).toBe(fakeAnswer("malformed-chunk", request.messages));
    expect(finish).toMatchObject({ type: "finish", reason: "stop" });
  });

  it("fails as timeout when no headers arrive within headersTimeoutMs", async () => {
    const error = await failureOf(provider, call("no-response", { headersTimeoutMs: 200 }));
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe("local: no response headers within 200 ms");
  });

  it("closes the upstream connection and rethrows the reason when the caller aborts mid-stream", async () => {
    const controller = new AbortController();
    const reason = new Error("client went away");
    const deltas: string[] = [];
    const reading = (async () => {
      for await (const event of provider.streamChat(
        request,
        call("stall-mid-stream", { signal: controller.signal }),
      )) {
        if (event.type === "delta") deltas.push(event.text);
        if (deltas.length === 1) controller.abort(reason);
      }
    })();
    await expect(reading).rejects.toBe(reason);
    expect(deltas).toHaveLength(1);
    expect(await fake.requestsFor("stall-mid-stream")[0]?.closed).toBe("closed-early");
  });

  it("rethrows the abort reason when the caller aborts before the headers", async () => {
    const controller = new AbortController();
    const reason = new Error("deadline");
    const reading = collect(provider, call("no-response:abort", { signal: controller.signal }));
    await fake.waitForRequests(1, "no-response:abort");
    controller.abort(reason);
    await expect(reading).rejects.toBe(reason);
    expect(await fake.requestsFor("no-response:abort")[0]?.closed).toBe("closed-early");
  });

  it("drains [DONE] after finishing and reuses the kept-alive connection", async () => {
    const single = createOpenAiCompatibleProvider(
      config({ baseUrl: fake.baseUrl, maxConnections: 1 }),
    );
    try {
      // [DONE] comes 200 ms after the usage: the answer finishes first, the rest is drained.
      await collect(single, call("late-done:keep-alive"));
      await collect(single, call("late-done:keep-alive"));
    } finally {
      await single.close();
    }
    const [first, second] = fake.requestsFor("late-done:keep-alive");
    expect(second?.remotePort).toBe(first?.remotePort);
  });

  it("refuses an assistant prefill, which these APIs do not support", async () => {
    expect(provider.supportsPrefill("gpt-4o-mini")).toBe(false);
    await expect(
      collect(provider, call("ok:prefill"), { ...request, prefill: "Red," }),
    ).rejects.toMatchObject({ kind: "rejected" });
    expect(fake.requestsFor("ok:prefill")).toHaveLength(0);
  });
});
