import { describe, expect, it } from "vitest";
import type { FinishReason } from "../../../src/providers/chat-provider.js";
import { mapGeminiFinishReason } from "../../../src/providers/gemini/map-gemini-finish-reason.js";
import { mapGeminiRequest } from "../../../src/providers/gemini/map-gemini-request.js";
import { mapGeminiUsage } from "../../../src/providers/gemini/map-gemini-usage.js";
import { resolveGeminiEndpoint } from "../../../src/providers/gemini/resolve-gemini-endpoint.js";
import { config } from "./gemini-provider-harness.js";

describe("mapGeminiFinishReason", () => {
  it.each<[string, FinishReason]>([
    ["STOP", "stop"],
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["BLOCKLIST", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
    ["SPII", "content_filter"],
    ["IMAGE_SAFETY", "content_filter"],
    ["OTHER", "unknown"],
    ["LANGUAGE", "unknown"],
    ["MALFORMED_FUNCTION_CALL", "unknown"],
    ["FINISH_REASON_UNSPECIFIED", "unknown"],
    ["SOMETHING_NEW", "unknown"],
  ])("maps %s to %s", (reason, expected) => {
    expect(mapGeminiFinishReason(reason)).toBe(expected);
  });
});

describe("mapGeminiUsage", () => {
  it("counts candidates and thoughts tokens as output", () => {
    expect(
      mapGeminiUsage({ promptTokenCount: 10, candidatesTokenCount: 7, thoughtsTokenCount: 20 }),
    ).toEqual({ inputTokens: 10, outputTokens: 27 });
  });

  it("treats missing counts as zero and missing metadata as unknown", () => {
    expect(mapGeminiUsage({ promptTokenCount: 12, totalTokenCount: 12 })).toEqual({
      inputTokens: 12,
      outputTokens: 0,
    });
    expect(mapGeminiUsage(undefined)).toBeUndefined();
  });
});

describe("mapGeminiRequest", () => {
  it("puts every system message in systemInstruction and maps assistant turns to model", () => {
    const body = mapGeminiRequest({
      messages: [
        { role: "system", content: "Be terse." },
        { role: "system", content: "Answer in French." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Salut." },
        { role: "user", content: "Colours?" },
      ],
      options: {},
    });
    expect(body).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Hi" }] },
        { role: "model", parts: [{ text: "Salut." }] },
        { role: "user", parts: [{ text: "Colours?" }] },
      ],
      systemInstruction: { parts: [{ text: "Be terse." }, { text: "Answer in French." }] },
    });
  });

  it("sets only the generation options that are given, and no empty stop list", () => {
    const body = mapGeminiRequest({
      messages: [{ role: "user", content: "Hi" }],
      options: { temperature: 0, stop: [] },
    });
    expect(body).toEqual({
      contents: [{ role: "user", parts: [{ text: "Hi" }] }],
      generationConfig: { temperature: 0 },
    });
  });
});

describe("resolveGeminiEndpoint", () => {
  it("defaults to the public v1beta API", () => {
    const endpoint = resolveGeminiEndpoint(config({ baseUrl: "" }));
    expect(endpoint.origin).toBe("https://generativelanguage.googleapis.com");
    expect(endpoint.streamPath("gemini-2.0-flash")).toBe(
      "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
    );
  });

  it("strips a models/ prefix, encodes the model as one segment and keeps the base query", () => {
    const endpoint = resolveGeminiEndpoint(
      config({ baseUrl: "https://proxy.example/google/v1beta/?tenant=a" }),
    );
    expect(endpoint.streamPath("models/gemini-2.5-pro")).toBe(
      "/google/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&tenant=a",
    );
    expect(endpoint.streamPath("a/b")).toBe(
      "/google/v1beta/models/a%2Fb:streamGenerateContent?alt=sse&tenant=a",
    );
  });

  it("refuses a base URL that is not http(s)", () => {
    expect(() => resolveGeminiEndpoint(config({ baseUrl: "ftp://x" }))).toThrow(/http or https/);
    expect(() => resolveGeminiEndpoint(config({ baseUrl: "not a url" }))).toThrow(/valid URL/);
  });
});
