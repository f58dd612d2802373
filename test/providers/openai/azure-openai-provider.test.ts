import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatProvider } from "../../../src/providers/chat-provider.js";
import { DEFAULT_AZURE_OPENAI_API_VERSION } from "../../../src/providers/openai/azure-openai-api-version.js";
import { createOpenAiCompatibleProvider } from "../../../src/providers/openai/openai-compatible-provider.js";
import { type FakeOpenAi, fakeAnswer, startFakeOpenAi } from "../../fakes/fake-openai-server.js";
import {
  call,
  collect,
  config,
  failureOf,
  promptCharacters,
  request,
} from "../openai-provider-harness.js";

describe("createOpenAiCompatibleProvider for azure-openai against the fake", () => {
  let fake: FakeOpenAi;
  let provider: ChatProvider;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    // The resource endpoint, with the trailing slash the Azure portal shows.
    provider = createOpenAiCompatibleProvider(
      config({ name: "azure", type: "azure-openai", baseUrl: `${fake.origin}/`, headers: {} }),
    );
  });

  afterAll(async () => {
    await provider.close();
    await fake.close();
  });

  it("streams an answer from the deployment named by the model, through Azure's filter chunks", async () => {
    const { text, finish } = await collect(provider, call("gpt-4o-prod"));
    expect(text).toBe(fakeAnswer("gpt-4o-prod", request.messages));
    expect(finish).toEqual({
      type: "finish",
      reason: "stop",
      usage: {
        inputTokens: Math.ceil(promptCharacters / 4),
        outputTokens: fakeAnswer("gpt-4o-prod", request.messages).split(" ").length,
      },
    });
  });

  it("posts to the deployment path with the default api-version and the api-key header", async () => {
    await collect(provider, call("gpt-4o-mini:path"));
    const [sent] = fake.requestsFor("gpt-4o-mini:path");
    expect(sent?.path).toBe(
      `/openai/deployments/gpt-4o-mini%3Apath/chat/completions?api-version=${DEFAULT_AZURE_OPENAI_API_VERSION}`,
    );
    expect(sent?.deployment).toBe("gpt-4o-mini:path");
    expect(sent?.headers["api-key"]).toBe("sk-test-secret");
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body).toMatchObject({
      messages: request.messages,
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 50,
    });
    expect(sent?.body).not.toHaveProperty("max_tokens");
  });

  it("builds the path per call, so each model reaches its own deployment", async () => {
    await collect(provider, call("deployment-a"));
    await collect(provider, call("deployment b"));
    expect(fake.requestsFor("deployment-a")[0]?.path).toMatch(
      /^\/openai\/deployments\/deployment-a\//,
    );
    expect(fake.requestsFor("deployment b")[0]?.path).toMatch(
      /^\/openai\/deployments\/deployment%20b\//,
    );
  });

  it("sends the configured apiVersion", async () => {
    const pinned = createOpenAiCompatibleProvider(
      config({
        type: "azure-openai",
        baseUrl: fake.origin,
        apiVersion: "2025-04-01-preview",
      }),
    );
    try {
      await collect(pinned, call("ok:pinned"));
    } finally {
      await pinned.close();
    }
    expect(fake.requestsFor("ok:pinned")[0]?.path).toBe(
      "/openai/deployments/ok%3Apinned/chat/completions?api-version=2025-04-01-preview",
    );
  });

  it("fails as unauthorized with Azure's message when the key is refused", async () => {
    const error = await failureOf(provider, call("azure-unauthorized"));
    expect(error).toMatchObject({ kind: "unauthorized", status: 401 });
    expect(error.message).toMatch(
      /^azure: HTTP 401: Access denied due to invalid subscription key/,
    );
  });

  it("fails as unauthorized when no key is configured, as Azure refuses the request", async () => {
    const keyless = createOpenAiCompatibleProvider(
      config({ type: "azure-openai", baseUrl: fake.origin, apiKey: undefined, headers: {} }),
    );
    try {
      expect(await failureOf(keyless, call("ok:keyless"))).toMatchObject({
        kind: "unauthorized",
        status: 401,
      });
    } finally {
      await keyless.close();
    }
  });

  it("reports Azure's retry-after-ms of a 429 as retryAfterMs", async () => {
    const error = await failureOf(provider, call("azure-rate-limited"));
    expect(error).toMatchObject({ kind: "rate_limited", status: 429, retryAfterMs: 1500 });
  });

  it("classifies Azure's ResponsibleAIPolicyViolation 400 as content_filtered", async () => {
    expect(await failureOf(provider, call("content-filter:azure"))).toMatchObject({
      kind: "content_filtered",
      status: 400,
    });
  });

  it("finishes with content_filter when Azure cuts an answer mid-stream", async () => {
    const { text, finish } = await collect(provider, call("content-filter-mid-stream"));
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toMatchObject({ type: "finish", reason: "content_filter" });
  });

  it("refuses to start without a resource endpoint", () => {
    expect(() =>
      createOpenAiCompatibleProvider(config({ name: "az", type: "azure-openai", baseUrl: "" })),
    ).toThrow('provider "az": type azure-openai needs a baseUrl');
  });
});
