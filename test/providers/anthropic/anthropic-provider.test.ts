import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnthropicProvider } from "../../../src/providers/anthropic/anthropic-provider.js";
import type { ChatProvider } from "../../../src/providers/chat-provider.js";
import type { FailureKind } from "../../../src/providers/provider-error.js";
import {
  type FakeAnthropic,
  fakeAnthropicAnswer,
  startFakeAnthropic,
} from "../../fakes/anthropic/fake-anthropic-server.js";
import {
  API_KEY,
  call,
  collect,
  config,
  failureOf,
  promptCharacters,
  request,
} from "./anthropic-provider-harness.js";

describe("createAnthropicProvider against a fake Anthropic server", () => {
  let fake: FakeAnthropic;
  let provider: ChatProvider;

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: API_KEY });
    // A trailing slash on the base URL must not double the path separator.
    provider = createAnthropicProvider(config({ baseUrl: `${fake.baseUrl}/` }));
  });

  afterAll(async () => {
    await fake.close();
    await provider.close();
  });

  it("streams an answer whose deltas concatenate to the text, then finish with usage", async () => {
    const { events, text, finish } = await collect(provider, call("ok"));
    const expected = fakeAnthropicAnswer("ok", request.messages);
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

  it("sends the system prompt as a top-level field and the turns as messages, with auth and version headers", async () => {
    await collect(provider, call("ok:body"));
    const [sent] = fake.requestsFor("ok:body");
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe("/v1/messages");
    expect(sent?.headers["x-api-key"]).toBe(API_KEY);
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(sent?.headers["x-team"]).toBe("search");
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(sent?.headers.accept).toBe("text/event-stream");
    expect(sent?.body).toEqual({
      model: "ok:body",
      max_tokens: 50,
      system: "You are terse.",
      messages: [{ role: "user", content: "Name three colours of the rainbow" }],
      temperature: 0.3,
      top_p: 0.8,
      stop_sequences: ["END"],
      stream: true,
    });
  });

  it("sends the model's maxOutputTokens, else 4096, as max_tokens when the request sets none", async () => {
    const unset = { ...request, options: {} };
    await collect(provider, call("ok:max-output", { maxOutputTokens: 8192 }), unset);
    await collect(provider, call("ok:max-default"), unset);
    expect(fake.requestsFor("ok:max-output")[0]?.body).toMatchObject({ max_tokens: 8192 });
    expect(fake.requestsFor("ok:max-default")[0]?.body).toMatchObject({ max_tokens: 4096 });
  });

  it("lets configured headers override its own", async () => {
    const custom = createAnthropicProvider(
      config({ baseUrl: fake.baseUrl, headers: { "anthropic-version": "2099-01-01" } }),
    );
    try {
      await collect(custom, call("ok:headers"));
    } finally {
      await custom.close();
    }
    expect(fake.requestsFor("ok:headers")[0]?.headers["anthropic-version"]).toBe("2099-01-01");
  });

  it.each<[string, FailureKind, number | undefined]>([
    ["reset-before-headers", "unreachable", undefined],
    ["fail-once-500", "overloaded", 500],
    ["always-529", "overloaded", 529],
    ["status-503", "overloaded", 503],
    ["always-429", "rate_limited", 429],
    ["unauthorized", "unauthorized", 401],
    ["permission-denied", "unauthorized", 403],
    ["not-found", "unauthorized", 404],
    ["prompt-too-long", "context_too_long", 400],
    ["request-too-large", "context_too_long", 413],
    ["status-422", "rejected", 422],
    ["cut-mid-stream", "interrupted", undefined],
    ["end-mid-stream", "interrupted", undefined],
    ["error-event-mid-stream", "overloaded", undefined],
    ["malformed-events-4", "malformed", undefined],
  ])("classifies the fault %s as %s", async (fault, kind, status) => {
    const error = await failureOf(provider, call(`${fault}:table`));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.message).not.toContain(API_KEY);
  });

  it("names the provider's message and request id in the error", async () => {
    const error = await failureOf(provider, call("prompt-too-long:message"));
    expect(error.message).toMatch(
      /^claude: HTTP 400: prompt is too long: 208310 tokens > 200000 maximum \(request-id req_fake\d+\)$/,
    );
  });

  it("fails as unauthorized when the key is wrong or missing", async () => {
    for (const apiKey of ["sk-ant-wrong", undefined]) {
      const keyless = createAnthropicProvider(config({ baseUrl: fake.baseUrl, apiKey }));
      try {
        const error = await failureOf(keyless, call("ok:key"));
        expect(error.kind).toBe("unauthorized");
        expect(error.status).toBe(401);
      } finally {
        await keyless.close();
      }
    }
  });

  it("reports retry-after of a 429 in milliseconds, then answers the next request", async () => {
    const error = await failureOf(provider, call("rate-limited-retry-after-2"));
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBe(2000);
    const { finish } = await collect(provider, call("rate-limited-retry-after-2"));
    expect(finish).toMatchObject({ type: "finish", reason: "stop" });
  });

  it.each([
    ["refusal", "content_filter"],
    ["max-tokens", "length"],
    ["stop-sequence", "stop"],
    ["context-window-exceeded", "length"],
  ])("maps the stop reason of %s to %s", async (fault, reason) => {
    const { finish } = await collect(provider, call(fault));
    expect(finish).toMatchObject({ type: "finish", reason });
  });

  it("ignores thinking blocks and counts cached prompt tokens as input", async () => {
    const thinking = await collect(provider, call("thinking"));
    expect(thinking.text).toBe(fakeAnthropicAnswer("thinking", request.messages));
    const cached = await collect(provider, call("cached"));
    expect(cached.finish).toMatchObject({
      usage: { inputTokens: Math.ceil(promptCharacters / 4) + 107 },
    });
  });

  it("skips a malformed event and still delivers the whole answer", async () => {
    const { text, finish } = await collect(provider, call("malformed-event"));
    expect(text).toBe(fakeAnthropicAnswer("malformed-event", request.messages));
    expect(finish).toMatchObject({ type: "finish", reason: "stop" });
  });

  it("finishes promptly after the stop reason when message_stop never comes", async () => {
    const quick = createAnthropicProvider(config({ baseUrl: fake.baseUrl }), { stopGraceMs: 50 });
    try {
      const { finish } = await collect(quick, call("no-message-stop"));
      expect(finish).toMatchObject({ type: "finish", reason: "stop" });
    } finally {
      await quick.close();
    }
    expect(await fake.requestsFor("no-message-stop")[0]?.closed).toBe("closed-early");
  });

  it("fails as timeout when no headers arrive within headersTimeoutMs", async () => {
    const error = await failureOf(provider, call("no-response", { headersTimeoutMs: 200 }));
    expect(error.kind).toBe("timeout");
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

  it("reuses the kept-alive connection after a complete answer", async () => {
    const single = createAnthropicProvider(config({ baseUrl: fake.baseUrl, maxConnections: 1 }));
    try {
      await collect(single, call("ok:keep-alive"));
      await collect(single, call("ok:keep-alive"));
    } finally {
      await single.close();
    }
    const [first, second] = fake.requestsFor("ok:keep-alive");
    expect(second?.remotePort).toBe(first?.remotePort);
  });

  it("sends a prefill without its trailing whitespace and streams only a continuation that joins it", async () => {
    expect(provider.supportsPrefill("claude-3-5-haiku-20241022")).toBe(true);
    const prefill = "Red, ";
    const { text } = await collect(provider, call("ok:prefill"), { ...request, prefill });
    const [sent] = fake.requestsFor("ok:prefill");
    expect(sent?.body).toMatchObject({
      messages: [
        { role: "user", content: "Name three colours of the rainbow" },
        { role: "assistant", content: "Red," },
      ],
    });
    // The fake continues "Red," with " and the rest …": the repeated space is dropped.
    expect(`${prefill}${text}`).toBe("Red, and the rest from ok:prefill.");
  });

  it("keeps the continuation unchanged when the prefill has no trailing whitespace", async () => {
    const { text } = await collect(provider, call("ok:prefill-plain"), {
      ...request,
      prefill: "Red,",
    });
    expect(text).toBe(" and the rest from ok:prefill-plain.");
  });
});
