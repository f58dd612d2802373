import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../src/config/gateway-config.js";
import type { ChatCallOptions, ChatEvent, ChatRequest } from "../../src/providers/chat-provider.js";
import { createDemoProvider, demoAnswer } from "../../src/providers/demo/demo-provider.js";

function demoConfig(demoDelayMs = 0): ProviderConfig {
  return {
    name: "demo",
    type: "demo",
    baseUrl: "",
    apiKey: undefined,
    headers: {},
    maxConnections: 1,
    demoDelayMs,
  };
}

function call(signal: AbortSignal = new AbortController().signal): ChatCallOptions {
  return { model: "echo", signal, log: pino({ level: "silent" }), headersTimeoutMs: 1000 };
}

const request: ChatRequest = {
  messages: [
    { role: "system", content: "Be kind." },
    { role: "user", content: "first question" },
    { role: "assistant", content: "first answer" },
    { role: "user", content: "Hello  there,\nworld" },
  ],
  options: {},
};

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const seen: ChatEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

function textOf(events: readonly ChatEvent[]): string {
  return events.map((event) => (event.type === "delta" ? event.text : "")).join("");
}

describe("createDemoProvider", () => {
  const provider = createDemoProvider(demoConfig());

  it("answers the last user message with a labelled, fixed-format text, a delta per word", async () => {
    const events = await collect(provider.streamChat(request, call()));
    const expected =
      `[demo] This is Switchboard's offline demo model, not a real LLM. You said: "Hello  there,\nworld". ` +
      `Configure a provider (see README, "Configuration") for real answers.`;
    expect(demoAnswer("Hello  there,\nworld")).toBe(expected);
    expect(textOf(events)).toBe(expected);
    const deltas = events.filter((event) => event.type === "delta");
    expect(deltas[0]).toEqual({ type: "delta", text: "[demo] " });
    expect(deltas.length).toBe(expected.split(/\s+/).length);
    const characters = "Be kind.first questionfirst answerHello  there,\nworld".length;
    expect(events.at(-1)).toEqual({
      type: "finish",
      reason: "stop",
      usage: { inputTokens: Math.ceil(characters / 4), outputTokens: deltas.length },
    });
  });

  it("gives the same events for the same request and any model name", async () => {
    const first = await collect(provider.streamChat(request, call()));
    const second = await collect(
      provider.streamChat(request, { ...call(), model: "anything:else" }),
    );
    expect(second).toEqual(first);
  });

  it("stops after maxTokens words with reason length", async () => {
    const events = await collect(
      provider.streamChat({ ...request, options: { maxTokens: 3 } }, call()),
    );
    expect(textOf(events)).toBe("[demo] This is ");
    expect(events.at(-1)).toMatchObject({ reason: "length", usage: { outputTokens: 3 } });
  });

  it("continues after a prefill that starts its answer", async () => {
    expect(provider.supportsPrefill("echo")).toBe(true);
    const full = demoAnswer("Hello  there,\nworld");
    const events = await collect(
      provider.streamChat({ ...request, prefill: "[demo] This is Switch" }, call()),
    );
    expect(`[demo] This is Switch${textOf(events)}`).toBe(full);
  });

  it("stops during the delay between words and throws the abort reason", async () => {
    const slow = createDemoProvider(demoConfig(60_000));
    const controller = new AbortController();
    const reason = new Error("canceled by the client");
    const events = slow.streamChat(request, call(controller.signal))[Symbol.asyncIterator]();
    expect(await events.next()).toEqual({ done: false, value: { type: "delta", text: "[demo] " } });
    // The generator now waits out the 60 s delay before its second word.
    const second = events.next();
    controller.abort(reason);
    await expect(second).rejects.toBe(reason);
  });
});
