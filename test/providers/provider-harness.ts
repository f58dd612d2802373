import pino from "pino";
import type { ProviderConfig } from "../../src/config/gateway-config.js";
import type {
  ChatCallOptions,
  ChatEvent,
  ChatProvider,
  ChatRequest,
} from "../../src/providers/chat-provider.js";
import { ProviderError } from "../../src/providers/provider-error.js";

/** Helpers shared by the provider tests of every wire format. */

/** A logger that writes nothing. */
export const silentLog = pino({ level: "silent" });

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

/** What names a provider in `providerConfig`; the rest has test defaults. */
export type ProviderConfigDefaults = Pick<ProviderConfig, "name" | "type" | "apiKey"> &
  Partial<ProviderConfig>;

/**
 * A provider config with an empty base URL, an `X-Team: search` header, 4 connections and no
 * demo delay, then `defaults` (the provider's name, type and key) and the test's `overrides`.
 */
export function providerConfig(
  defaults: ProviderConfigDefaults,
  overrides: Partial<ProviderConfig>,
): ProviderConfig {
  return {
    baseUrl: "",
    headers: { "X-Team": "search" },
    maxConnections: 4,
    demoDelayMs: 0,
    ...defaults,
    ...overrides,
  };
}

/** Call options for `model` with a fresh signal, a silent logger and a 5 s headers timeout. */
export function call(model: string, overrides: Partial<ChatCallOptions> = {}): ChatCallOptions {
  return {
    model,
    signal: new AbortController().signal,
    log: silentLog,
    headersTimeoutMs: 5000,
    ...overrides,
  };
}

/** A whole answer: its events, the concatenated text and the last event. */
export interface CollectedAnswer {
  readonly events: ChatEvent[];
  readonly text: string;
  readonly finish: ChatEvent | undefined;
}

/** Readers of a provider's answer to `defaultRequest` (or to the chat a test passes). */
export interface AnswerReaders {
  /** Reads a whole answer. */
  collect(
    provider: ChatProvider,
    options: ChatCallOptions,
    chat?: ChatRequest,
  ): Promise<CollectedAnswer>;
  /** The ProviderError an answer fails with; throws when it succeeds or fails otherwise. */
  failureOf(
    provider: ChatProvider,
    options: ChatCallOptions,
    chat?: ChatRequest,
  ): Promise<ProviderError>;
}

/** `collect` and `failureOf` for a default request. */
export function createAnswerReaders(defaultRequest: ChatRequest): AnswerReaders {
  async function collect(provider: ChatProvider, options: ChatCallOptions, chat = defaultRequest) {
    const events: ChatEvent[] = [];
    for await (const event of provider.streamChat(chat, options)) events.push(event);
    const text = events.map((event) => (event.type === "delta" ? event.text : "")).join("");
    return { events, text, finish: events.at(-1) };
  }
  async function failureOf(
    provider: ChatProvider,
    options: ChatCallOptions,
    chat = defaultRequest,
  ) {
    const error = await collect(provider, options, chat).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    if (!(error instanceof ProviderError))
      throw new Error(`expected a ProviderError, got ${error}`);
    return error;
  }
  return { collect, failureOf };
}

/** `collect` and `failureOf` for `request`. */
export const { collect, failureOf } = createAnswerReaders(request);
