import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../src/providers/chat-provider.js";
import { mapOpenAiFinishReason } from "../../src/providers/openai/map-openai-finish-reason.js";
import { mapOpenAiRequest } from "../../src/providers/openai/map-openai-request.js";
import { mapOpenAiUsage } from "../../src/providers/openai/map-openai-usage.js";
import { openAiChatRequestSchema } from "../../src/providers/openai/openai-wire-schema.js";

describe("mapOpenAiFinishReason", () => {
  it.each([
    ["stop", "stop"],
    ["length", "length"],
    ["content_filter", "content_filter"],
    ["tool_calls", "unknown"],
    ["function_call", "unknown"],
    ["eos", "unknown"],
  ] as const)("maps %s to %s", (reason, expected) => {
    expect(mapOpenAiFinishReason(reason)).toBe(expected);
  });
});

describe("mapOpenAiUsage", () => {
  it("maps prompt and completion tokens to input and output tokens", () => {
    expect(
      mapOpenAiUsage({ prompt_tokens: 16, completion_tokens: 300, total_tokens: 316 }),
    ).toEqual({ inputTokens: 16, outputTokens: 300 });
  });

  it("keeps absent usage undefined", () => {
    expect(mapOpenAiUsage(null)).toBeUndefined();
    expect(mapOpenAiUsage(undefined)).toBeUndefined();
  });
});

describe("mapOpenAiRequest", () => {
  const request: ChatRequest = {
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!" },
      { role: "user", content: "Name a colour." },
    ],
    options: { temperature: 0.2, maxTokens: 64, topP: 0.9, stop: ["\n\n", "END"] },
  };

  it("sends the conversation as a streaming body that asks for usage", () => {
    const body = mapOpenAiRequest(request, { model: "gpt-4o-mini", maxTokensField: "max_tokens" });
    expect(body).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "Name a colour." },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      stop: ["\n\n", "END"],
    });
    expect(openAiChatRequestSchema.safeParse(body).success).toBe(true);
  });

  it("puts the output cap in max_completion_tokens when asked to", () => {
    const body = mapOpenAiRequest(request, {
      model: "o4-mini",
      maxTokensField: "max_completion_tokens",
    });
    expect(body.max_completion_tokens).toBe(64);
    expect(body).not.toHaveProperty("max_tokens");
  });

  it("leaves stream_options out for servers that do not take it", () => {
    const body = mapOpenAiRequest(request, {
      model: "mistral-small-latest",
      maxTokensField: "max_tokens",
      streamOptions: false,
    });
    expect(body).not.toHaveProperty("stream_options");
    expect(body.stream).toBe(true);
  });

  it("leaves unset sampling options and an empty stop list out of the body", () => {
    const body = mapOpenAiRequest(
      { messages: [{ role: "user", content: "Hi" }], options: { stop: [] } },
      { model: "m", maxTokensField: "max_tokens" },
    );
    expect(Object.keys(body).sort()).toEqual(["messages", "model", "stream", "stream_options"]);
  });
});
