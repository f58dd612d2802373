import { setTimeout as delay } from "node:timers/promises";
import type { ProviderConfig } from "../../config/gateway-config.js";
import type {
  ChatCallOptions,
  ChatEvent,
  ChatMessage,
  ChatProvider,
  ChatRequest,
} from "../chat-provider.js";

/** The model a demo route names when none is configured: "demo:echo". */
export const DEMO_DEFAULT_MODEL = "echo";

/**
 * The demo model's whole answer to a prompt. Fixed format, so that nobody mistakes it for a
 * real model: it says what it is, echoes the prompt and says how to configure a real provider.
 */
export function demoAnswer(prompt: string): string {
  return (
    `[demo] This is Switchboard's offline demo model, not a real LLM. You said: "${prompt}". ` +
    `Configure a provider (see README, "Configuration") for real answers.`
  );
}

/**
 * Creates the built-in offline model: deterministic, no network, any model name. It answers the
 * last user message with `demoAnswer`, streamed a word per delta (each word keeps its trailing
 * whitespace, so the deltas concatenate to the text) with `config.demoDelayMs` between words,
 * then finishes with reason "stop" and usage {input: characters of all messages / 4 rounded up,
 * output: words sent}. `options.maxTokens` caps the words, finishing with reason "length".
 *
 * It supports prefill: when the prefill is the start of the answer, only the rest is streamed;
 * any other prefill is ignored and the whole answer follows it. An aborted signal stops it at
 * once (also during a delay) and its reason is thrown.
 */
export function createDemoProvider(config: ProviderConfig): ChatProvider {
  async function* streamChat(
    request: ChatRequest,
    call: ChatCallOptions,
  ): AsyncGenerator<ChatEvent, void, undefined> {
    const answer = demoAnswer(lastUserMessage(request.messages));
    const prefill = request.prefill ?? "";
    const rest =
      prefill !== "" && answer.startsWith(prefill) ? answer.slice(prefill.length) : answer;
    const words = rest.match(/\s*\S+\s*/g) ?? [];
    const maxWords = request.options.maxTokens ?? Number.POSITIVE_INFINITY;
    let sent = 0;
    for (const word of words) {
      if (sent >= maxWords) break;
      if (sent > 0 && config.demoDelayMs > 0) {
        // Rethrow the caller's own reason, as every provider does on abort.
        await delay(config.demoDelayMs, undefined, { signal: call.signal }).catch(() => {
          throw call.signal.reason;
        });
      }
      if (call.signal.aborted) throw call.signal.reason;
      yield { type: "delta", text: word };
      sent++;
    }
    yield {
      type: "finish",
      reason: sent < words.length ? "length" : "stop",
      usage: { inputTokens: Math.ceil(characters(request.messages) / 4), outputTokens: sent },
    };
  }

  return {
    name: config.name,
    supportsPrefill: () => true,
    streamChat,
    async close() {},
  };
}

function lastUserMessage(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (message?.role === "user") return message.content;
  }
  return "";
}

function characters(messages: readonly ChatMessage[]): number {
  return messages.reduce((total, message) => total + message.content.length, 0);
}
