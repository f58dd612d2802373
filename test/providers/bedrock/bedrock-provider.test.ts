import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../../src/config/gateway-config.js";
import { createBedrockProvider } from "../../../src/providers/bedrock/bedrock-provider.js";
import type { ChatProvider } from "../../../src/providers/chat-provider.js";
import type { FailureKind } from "../../../src/providers/provider-error.js";
import {
  type FakeBedrock,
  fakeBedrockAnswer,
  startFakeBedrock,
} from "../../fakes/bedrock/fake-bedrock-server.js";
import { call, collect, failureOf, providerConfig, request } from "../provider-harness.js";

const credentials = { accessKeyId: "AKIDSWITCHBOARD", secretAccessKey: "bedrock-test-secret" };
const claude = "anthropic.claude-3-5-haiku-20241022-v1:0";
const asked = request.messages
  .filter((message) => message.role !== "system")
  .map((message) => ({ role: message.role, text: message.content }));

function config(overrides: Partial<ProviderConfig>): ProviderConfig {
  return providerConfig(
    { name: "aws", type: "bedrock", apiKey: undefined, region: "us-east-1" },
    overrides,
  );
}

describe("createBedrockProvider against a fake Bedrock Runtime server", () => {
  let fake: FakeBedrock;
  let provider: ChatProvider;

  beforeAll(async () => {
    fake = await startFakeBedrock();
    provider = createBedrockProvider(config({ baseUrl: fake.baseUrl }), { credentials });
  });

  afterAll(async () => {
    await provider.close();
    await fake.close();
  });

  it("streams an answer whose deltas concatenate to the text, then finish with usage", async () => {
    const { events, text, finish } = await collect(provider, call(claude));
    const expected = fakeBedrockAnswer(claude, asked);
    expect(text).toBe(expected);
    expect(events.filter((event) => event.type === "delta").length).toBeGreaterThanOrEqual(3);
    const characters = request.messages.reduce((total, m) => total + m.content.length, 0);
    expect(finish).toEqual({
      type: "finish",
      reason: "stop",
      usage: { inputTokens: Math.ceil(characters / 4), outputTokens: expected.split(" ").length },
    });
  });

  it("sends a signed ConverseStream request with the system prompt, turns, options and headers", async () => {
    const model = "us.meta.llama3-3-70b-instruct-v1:0";
    await collect(provider, call(model));
    const [sent] = fake.requestsFor(model);
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe("/model/us.meta.llama3-3-70b-instruct-v1%3A0/converse-stream");
    expect(sent?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDSWITCHBOARD\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=.*x-team.*, Signature=[0-9a-f]{64}$/,
    );
    expect(sent?.headers["x-team"]).toBe("search");
    expect(JSON.stringify(sent?.headers)).not.toContain("bedrock-test-secret");
    expect(sent?.body).toEqual({
      system: [{ text: "You are terse." }],
      messages: [{ role: "user", content: [{ text: "Name three colours of the rainbow" }] }],
      inferenceConfig: { maxTokens: 50, temperature: 0.3, topP: 0.8, stopSequences: ["END"] },
    });
  });

  it.each<[string, FailureKind, number | undefined]>([
    ["throttled", "rate_limited", 429],
    ["quota", "rate_limited", 400],
    ["always-503", "overloaded", 503],
    ["fail-once-500", "overloaded", 500],
    ["model-not-ready", "overloaded", 429],
    ["model-timeout", "timeout", 408],
    ["validation", "rejected", 400],
    ["input-too-long", "context_too_long", 400],
    ["access-denied", "unauthorized", 403],
    ["unrecognized-client", "unauthorized", 403],
    ["not-found", "unauthorized", 404],
    ["reset-before-headers", "unreachable", undefined],
    ["cut-mid-stream", "interrupted", undefined],
    ["end-mid-stream", "interrupted", undefined],
    ["stream-exception", "interrupted", undefined],
    ["stream-throttled", "rate_limited", undefined],
  ])("classifies the fault %s as %s", async (fault, kind, status) => {
    const error = await failureOf(provider, call(`${fault}:table`));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.message).not.toContain("bedrock-test-secret");
  });

  it("gives Bedrock's own message in a safe error message", async () => {
    const error = await failureOf(provider, call("throttled:message"));
    expect(error.message).toBe(
      "aws: HTTP 429: ThrottlingException: Too many requests, please wait before trying again.",
    );
  });

  it("answers after a failed first request, with no retry of its own", async () => {
    await failureOf(provider, call("fail-once-500:retry"));
    expect(fake.requestsFor("fail-once-500:retry")).toHaveLength(1);
    const { finish } = await collect(provider, call("fail-once-500:retry"));
    expect(finish).toMatchObject({ type: "finish", reason: "stop" });
  });

  it.each([
    ["guardrail", "content_filter"],
    ["max-tokens", "length"],
  ])("finishes the %s fault with reason %s", async (fault, reason) => {
    const { finish } = await collect(provider, call(fault));
    expect(finish).toMatchObject({ type: "finish", reason });
  });

  it("finishes without usage when the stream ends after messageStop", async () => {
    const { text, finish } = await collect(provider, call("no-metadata"));
    expect(text).toBe(fakeBedrockAnswer("no-metadata", asked));
    expect(finish).toEqual({ type: "finish", reason: "stop", usage: undefined });
  });

  it("decodes an event stream that arrives one byte at a time", async () => {
    const { text, finish } = await collect(provider, call("one-byte-chunks"));
    expect(text).toBe(fakeBedrockAnswer("one-byte-chunks", asked));
    expect(finish).toMatchObject({ type: "finish", reason: "stop", usage: { outputTokens: 9 } });
  });

  it("fails as timeout when no headers arrive within headersTimeoutMs", async () => {
    const error = await failureOf(provider, call("no-response", { headersTimeoutMs: 200 }));
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe("aws: no response headers within 200 ms");
    expect(await fake.requestsFor("no-response")[0]?.closed).toBe("closed-early");
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
        if (deltas.length === 2) controller.abort(reason);
      }
    })();
    await expect(reading).rejects.toBe(reason);
    expect(deltas).toHaveLength(2);
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

  it("reuses the kept-alive connection for the next answer", async () => {
    const single = createBedrockProvider(config({ baseUrl: fake.baseUrl, maxConnections: 1 }), {
      credentials,
    });
    try {
      await collect(single, call("ok:keep-alive"));
      await collect(single, call("ok:keep-alive"));
    } finally {
      await single.close();
    }
    const [first, second] = fake.requestsFor("ok:keep-alive");
    expect(first?.remotePort).toBeDefined();
    expect(second?.remotePort).toBe(first?.remotePort);
  });

  it("sends a Claude prefill as the final assistant message and streams only the continuation", async () => {
    const model = "us.anthropic.claude-3-5-haiku-20241022-v1:0";
    expect(provider.supportsPrefill(model)).toBe(true);
    expect(provider.supportsPrefill("meta.llama3-3-70b-instruct-v1:0")).toBe(false);
    const { text } = await collect(provider, call(model), { ...request, prefill: "Red, " });
    const [sent] = fake.requestsFor(model);
    expect(sent?.body).toMatchObject({
      messages: [
        { role: "user", content: [{ text: "Name three colours of the rainbow" }] },
        { role: "assistant", content: [{ text: "Red," }] },
      ],
    });
    // The fake does not continue the prefill; its answer stands in for the continuation.
    expect(text).toBe(fakeBedrockAnswer(model, asked.concat({ role: "assistant", text: "Red," })));
  });

  it("refuses a prefill for a model family that cannot continue one, without a request", async () => {
    await expect(
      collect(provider, call("mistral.mistral-large-2402-v1:0:prefill"), {
        ...request,
        prefill: "Red,",
      }),
    ).rejects.toMatchObject({ kind: "rejected" });
    expect(fake.requestsFor("mistral.mistral-large-2402-v1:0:prefill")).toHaveLength(0);
  });

  it("fails as unauthorized when the region differs from the one the endpoint expects", async () => {
    const elsewhere = createBedrockProvider(
      config({ baseUrl: fake.baseUrl, region: "eu-west-1" }),
      { credentials },
    );
    try {
      const error = await failureOf(elsewhere, call("ok:region"));
      expect(error.kind).toBe("unauthorized");
      expect(error.message).toBe(
        "aws: HTTP 403: InvalidSignatureException: Credential should be scoped to a valid region.",
      );
    } finally {
      await elsewhere.close();
    }
  });

  it("fails as unreachable when nothing listens at the endpoint", async () => {
    const closed = await startFakeBedrock();
    await closed.close();
    const nowhere = createBedrockProvider(config({ baseUrl: closed.baseUrl }), { credentials });
    try {
      const error = await failureOf(nowhere, call("ok"));
      expect(error.kind).toBe("unreachable");
    } finally {
      await nowhere.close();
    }
  });
});
