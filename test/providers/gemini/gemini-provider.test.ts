import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatProvider } from "../../../src/providers/chat-provider.js";
import { createGeminiProvider } from "../../../src/providers/gemini/gemini-provider.js";
import type { FailureKind } from "../../../src/providers/provider-error.js";
import {
  FAKE_GEMINI_API_KEY,
  type FakeGemini,
  fakeGeminiAnswer,
  startFakeGemini,
} from "../../fakes/gemini/fake-gemini-server.js";
import {
  call,
  collect,
  config,
  failureOf,
  promptCharacters,
  request,
} from "./gemini-provider-harness.js";

const lastUser = [{ role: "user", text: "Name three colours of the rainbow" }];
const answerWords = (model: string) => fakeGeminiAnswer(model, lastUser).split(" ").length;

describe("createGeminiProvider against a fake Gemini API", () => {
  let fake: FakeGemini;
  let provider: ChatProvider;

  beforeAll(async () => {
    fake = await startFakeGemini();
    // A trailing slash on the base URL must not double the path separator.
    provider = createGeminiProvider(config({ baseUrl: `${fake.baseUrl}/` }), {
      finishGraceMs: 300,
    });
  });

  afterAll(async () => {
    await provider.close();
    await fake.close();
  });

  it("streams an answer whose deltas concatenate to the text, then finish with usage", async () => {
    const { events, text, finish } = await collect(provider, call("ok"));
    expect(text).toBe(fakeGeminiAnswer("ok", lastUser));
    expect(events.filter((event) => event.type === "delta").length).toBeGreaterThanOrEqual(1);
    expect(finish).toEqual({
      type: "finish",
      reason: "stop",
      usage: { inputTokens: Math.ceil(promptCharacters / 4), outputTokens: answerWords("ok") },
    });
  });

  it("sends contents, systemInstruction and generationConfig with the key in x-goog-api-key", async () => {
    await collect(provider, call("ok:body"));
    const [sent] = fake.requestsFor("ok:body");
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe("/v1beta/models/ok%3Abody:streamGenerateContent?alt=sse");
    expect(sent?.path).not.toContain("key=");
    expect(sent?.headers["x-goog-api-key"]).toBe(FAKE_GEMINI_API_KEY);
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.headers["x-team"]).toBe("search");
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(sent?.body).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Hello" }] },
        { role: "model", parts: [{ text: "Hi." }] },
        { role: "user", parts: [{ text: "Name three colours of the rainbow" }] },
      ],
      systemInstruction: { parts: [{ text: "You are terse." }] },
      generationConfig: {
        temperature: 0.3,
        topP: 0.8,
        maxOutputTokens: 50,
        stopSequences: ["END"],
      },
    });
  });

  it("accepts a model configured with the API's models/ prefix", async () => {
    const { finish } = await collect(provider, call("models/ok:prefixed"));
    expect(finish).toMatchObject({ type: "finish", reason: "stop" });
    expect(fake.requestsFor("ok:prefixed")[0]?.path).toBe(
      "/v1beta/models/ok%3Aprefixed:streamGenerateContent?alt=sse",
    );
  });

  it("lets a configured header override the key header", async () => {
    const other = createGeminiProvider(
      config({ baseUrl: fake.baseUrl, headers: { "X-Goog-Api-Key": "wrong-key" } }),
    );
    try {
      const error = await failureOf(other, call("ok:override"));
      expect(error.kind).toBe("unauthorized");
    } finally {
      await other.close();
    }
    expect(fake.requestsFor("ok:override")[0]?.headers["x-goog-api-key"]).toBe("wrong-key");
  });

  it("is refused as unauthorized (403) when no key is configured", async () => {
    const keyless = createGeminiProvider(config({ baseUrl: fake.baseUrl, apiKey: undefined }));
    try {
      const error = await failureOf(keyless, call("ok:keyless"));
      expect(error).toMatchObject({ kind: "unauthorized", status: 403 });
    } finally {
      await keyless.close();
    }
  });

  it.each<[string, FailureKind, number | undefined]>([
    ["reset-before-headers", "unreachable", undefined],
    ["fail-once-500", "overloaded", 500],
    ["always-503", "overloaded", 503],
    ["always-429", "rate_limited", 429],
    ["unauthorized", "unauthorized", 400],
    ["permission-denied", "unauthorized", 403],
    ["not-found", "unauthorized", 404],
    ["context-length", "context_too_long", 400],
    ["invalid-argument", "rejected", 400],
    ["deadline-exceeded", "timeout", 504],
    ["cut-mid-stream", "interrupted", undefined],
    ["no-finish-reason", "interrupted", undefined],
    ["stream-error", "interrupted", undefined],
    ["malformed-events-4", "malformed", undefined],
  ])("classifies the fault %s as %s", async (fault, kind, status) => {
    const error = await failureOf(provider, call(`${fault}:table`));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.message).not.toContain(FAKE_GEMINI_API_KEY);
    expect(error.message).toMatch(/^google: /);
  });

  it("gives Google's own message for a context-length error", async () => {
    const error = await failureOf(provider, call("context-length:message"));
    expect(error.message).toBe(
      "google: HTTP 400: The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
    );
  });

  it("reports RetryInfo's retryDelay of a 429 in milliseconds, then answers the next request", async () => {
    const error = await failureOf(provider, call("rate-limited-retry-after-2"));
    expect(error).toMatchObject({ kind: "rate_limited", status: 429, retryAfterMs: 2000 });
    const { finish } = await collect(provider, call("rate-limited-retry-after-2"));
    expect(finish).toMatchObject({ type: "finish", reason: "stop" });
  });

  it("finishes with content_filter and no text when the prompt is blocked", async () => {
    const { events } = await collect(provider, call("safety-block"));
    expect(events).toEqual([
      {
        type: "finish",
        reason: "content_filter",
        usage: { inputTokens: Math.ceil(promptCharacters / 4), outputTokens: 0 },
      },
    ]);
  });

  it.each([
    ["safety-finish", "content_filter"],
    ["recitation", "content_filter"],
    ["max-tokens", "length"],
  ])("maps the finish of %s to %s after the text sent so far", async (fault, reason) => {
    const { text, finish } = await collect(provider, call(fault));
    expect(text.length).toBeGreaterThan(0);
    expect(fakeGeminiAnswer(fault, lastUser).startsWith(text)).toBe(true);
    expect(finish).toMatchObject({ type: "finish", reason });
  });

  it("skips thought parts and counts thinking tokens as output", async () => {
    const { text, finish } = await collect(provider, call("thoughts"));
    expect(text).toBe(fakeGeminiAnswer("thoughts", lastUser));
    expect(finish).toMatchObject({ usage: { outputTokens: answerWords("thoughts") + 5 } });
  });

  it("skips a malformed event and still delivers the whole answer", async () => {
    const { text, finish } = await collect(provider, call("malformed-event"));
    expect(text).toBe(fakeGeminiAnswer("malformed-event", lastUser));
    expect(finish).toMatchObject({ type: "finish", reason: "stop" });
  });

  it("finishes within the grace time when the server holds the connection after the finish", async () => {
    const startedMs = Date.now();
    const { finish } = await collect(provider, call("hold-after-finish"));
    expect(Date.now() - startedMs).toBeLessThan(1500);
    expect(finish).toMatchObject({ type: "finish", reason: "stop" });
    expect(await fake.requestsFor("hold-after-finish")[0]?.closed).toBe("closed-early");
  });

  it("fails as timeout when no headers arrive within headersTimeoutMs", async () => {
    const error = await failureOf(provider, call("no-response", { headersTimeoutMs: 200 }));
    expect(error.kind).toBe("timeout");
  });

  it("closes the upstream request and rethrows the reason when the caller aborts mid-stream", async () => {
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

  it("finishes before a late body end and reuses the kept-alive connection", async () => {
    const single = createGeminiProvider(config({ baseUrl: fake.baseUrl, maxConnections: 1 }));
    try {
      const startedMs = Date.now();
      await collect(single, call("late-end:keep-alive"));
      expect(Date.now() - startedMs).toBeLessThan(200);
      await collect(single, call("late-end:keep-alive"));
    } finally {
      await single.close();
    }
    const [first, second] = fake.requestsFor("late-end:keep-alive");
    expect(second?.remotePort).toBe(first?.remotePort);
  });

  it("refuses an assistant prefill, which the Gemini API does not support", async () => {
    expect(provider.supportsPrefill("gemini-2.5-flash")).toBe(false);
    const error = await failureOf(provider, call("ok:prefill"), { ...request, prefill: "Red," });
    expect(error.kind).toBe("rejected");
    expect(fake.requestsFor("ok:prefill")).toHaveLength(0);
  });
});
