import pino from "pino";
import type { ProviderConfig } from "../../../src/config/gateway-config.js";
import type {
  ChatCallOptions,
  ChatEvent,
  ChatProvider,
  ChatRequest,
} from "../../../src/providers/chat-provider.js";
import { ProviderError } from "../../../src/providers/provider-error.js";

/** Helpers shared by the anthropic provider tests. */

const silent = pino({ level: "silent" });

export const API_KEY = "sk-ant-api03-test-secret";

/** A system message, a user message and every sampling option. */
export const request: ChatRequest = {
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Name three colours of the rainbow" },
  ],
  options: { maxTokens: 50, temperature: 0.3, topP: 0.8, stop: ["END"] },
};

/** Characters of `request`'s messages, system included. */
export const promptCharacters =
  "You are terse.".length + "Name three colours of the rainbow".length;

/** An anthropic provider "claude" with a key and a custom header. */
export function config(overrides: Partial<ProviderConfig>): ProviderConfig {
  return {
    name: "claude",
    type: "anthropic",
    baseUrl: "",
    apiKey: API_KEY,
    headers: { "X-Team": "search" },
    maxConnections: 4,
    demoDelayMs: 0,
    ...overrides,
  };
}

/** Call options for `model` with a fresh signal and a silent logger. */
export function call(model: string, overrides: Partial<ChatCallOptions> = {}): ChatCallOptions {
  return {
    model,
    signal: new AbortController().signal,
    log: silent,
    headersTimeoutMs: 5000,
    ...overrides,
  };
}

/** Reads a whole answer: its events, the concatenated text and the last event. */
export async function collect(provider: ChatProvider, options: ChatCallOptions, chat = request) {
  const events: ChatEvent[] = [];
  for await (const event of provider.streamChat(chat, options)) events.push(event);
  const text = events.map((event) => (event.type === "delta" ? event.text : "")).join("");
  return { events, text, finish: events.at(-1) };
}

/** The ProviderError an answer fails with; throws when it succeeds or fails otherwise. */
export async function failureOf(
  provider: ChatProvider,
  options: ChatCallOptions,
  chat = request,
): Promise<ProviderError> {
  const error = await collect(provider, options, chat).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${error}`);
  return error;
}
