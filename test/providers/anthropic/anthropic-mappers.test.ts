import { describe, expect, it } from "vitest";
import { prepareAnthropicPrefill } from "../../../src/providers/anthropic/anthropic-prefill.js";
import { mapAnthropicFinishReason } from "../../../src/providers/anthropic/map-anthropic-finish-reason.js";
import {
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  mapAnthropicRequest,
} from "../../../src/providers/anthropic/map-anthropic-request.js";
import {
  anthropicInputTokens,
  mapAnthropicUsage,
} from "../../../src/providers/anthropic/map-anthropic-usage.js";
import type { ChatRequest } from "../../../src/providers/chat-provider.js";

describe("mapAnthropicFinishReason", () => {
  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["refusal", "content_filter"],
    ["tool_use", "unknown"],
    ["pause_turn", "unknown"],
    ["something_new", "unknown"],
  ])("maps %s to %s", (reason, expected) => {
    expect(mapAnthropicFinishReason(reason)).toBe(expected);
  });
});

describe("mapAnthropicUsage", () => {
  it("counts cache creation and cache reads as input tokens", () => {
    const input = anthropicInputTokens({
      input_tokens: 16,
      output_tokens: 1,
      cache_creation_input_tokens: 20,
      cache_read_input_tokens: 100,
    });
    expect(mapAnthropicUsage(input, 12)).toEqual({ inputTokens: 136, outputTokens: 12 });
  });

  it("treats absent or null cache counts as zero", () => {
    const input = anthropicInputTokens({
      input_tokens: 5,
      output_tokens: 1,
      cache_read_input_tokens: null,
    });
    expect(mapAnthropicUsage(input, 3)).toEqual({ inputTokens: 5, outputTokens: 3 });
  });

  it("is undefined when the input or the output count is unknown", () => {
    expect(anthropicInputTokens({ output_tokens: 3 })).toBeUndefined();
    expect(mapAnthropicUsage(undefined, 3)).toBeUndefined();
    expect(mapAnthropicUsage({ uncached: 1, cacheCreation: 0, cacheRead: 0 }, undefined)).toBe(
      undefined,
    );
  });
});

describe("mapAnthropicRequest", () => {
  const conversation: ChatRequest = {
    messages: [
      { role: "system", content: "Be terse." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello" },
      { role: "user", content: "Colours?" },
    ],
    options: {},
  };

  it("moves the system message to the top-level system field and keeps the turns in order", () => {
    expect(mapAnthropicRequest(conversation, { model: "claude-x" })).toEqual({
      model: "claude-x",
      max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
      system: "Be terse.",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello" },
        { role: "user", content: "Colours?" },
      ],
      stream: true,
    });
  });

  it("leaves out an empty system prompt and joins several with a blank line", () => {
    const none = { ...conversation, messages: conversation.messages.slice(1) };
    expect(mapAnthropicRequest(none, { model: "m" })).not.toHaveProperty("system");
    const empty = { ...conversation, messages: [{ role: "system" as const, content: "" }] };
    expect(mapAnthropicRequest(empty, { model: "m" })).not.toHaveProperty("system");
    const two: ChatRequest = {
      ...conversation,
      messages: [{ role: "system", content: "A" }, ...conversation.messages],
    };
    expect(mapAnthropicRequest(two, { model: "m" }).system).toBe("A\n\nBe terse.");
  });

  it("takes max_tokens from the request, else the model's maximum, else 4096", () => {
    const withMax = { ...conversation, options: { maxTokens: 10 } };
    expect(mapAnthropicRequest(withMax, { model: "m", maxOutputTokens: 64 }).max_tokens).toBe(10);
    expect(mapAnthropicRequest(conversation, { model: "m", maxOutputTokens: 64 }).max_tokens).toBe(
      64,
    );
    expect(mapAnthropicRequest(conversation, { model: "m" }).max_tokens).toBe(4096);
  });

  it("maps the sampling options and clamps the temperature to Anthropic's range", () => {
    const options = { temperature: 1.7, topP: 0.9, stop: ["END", "STOP"] };
    expect(mapAnthropicRequest({ ...conversation, options }, { model: "m" })).toMatchObject({
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ["END", "STOP"],
    });
    const noStops = mapAnthropicRequest({ ...conversation, options: { stop: [] } }, { model: "m" });
    expect(noStops).not.toHaveProperty("stop_sequences");
  });

  it("sends the prefill as the final assistant message", () => {
    const body = mapAnthropicRequest(conversation, { model: "m", prefillText: "Red," });
    expect(body.messages.at(-1)).toEqual({ role: "assistant", content: "Red," });
    const empty = mapAnthropicRequest(conversation, { model: "m", prefillText: "" });
    expect(empty.messages.at(-1)).toEqual({ role: "user", content: "Colours?" });
  });
});

describe("prepareAnthropicPrefill", () => {
  const join = (prefill: string, deltas: string[]) => {
    const prepared = prepareAnthropicPrefill(prefill);
    return { sent: prepared.sentText, text: deltas.map((d) => prepared.continuation(d)) };
  };

  it("cuts the trailing whitespace and drops the continuation's repeat of it", () => {
    expect(join("Red, ", [" orange", " and blue"])).toEqual({
      sent: "Red,",
      text: ["orange", " and blue"],
    });
  });

  it("passes a continuation through when the prefill ends without whitespace", () => {
    expect(join("Red,", [" orange"])).toEqual({ sent: "Red,", text: [" orange"] });
  });

  it("keeps whitespace beyond the repeated part, and a continuation that starts otherwise", () => {
    expect(join("Para\n", ["\n\nNext"]).text).toEqual(["\nNext"]);
    expect(join("Red, ", ["orange"]).text).toEqual(["orange"]);
    expect(join("Red, ", ["\norange"]).text).toEqual(["\norange"]);
  });

  it("matches the repeated whitespace across deltas", () => {
    expect(join("a\n\n", ["\n", "", "\nb", "\nc"]).text).toEqual(["", "", "b", "\nc"]);
  });

  it("sends nothing for a prefill that is only whitespace", () => {
    expect(join("  ", [" x"])).toEqual({ sent: "", text: ["x"] });
  });
});
