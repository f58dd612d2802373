import type { Logger } from "pino";

/** Who wrote a message sent upstream. */
export type ChatRole = "system" | "user" | "assistant";

/** One message of the conversation sent to a model. */
export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
}

/** Sampling options; unset fields use the provider's defaults. */
export interface ChatOptions {
  readonly temperature?: number | undefined;
  readonly maxTokens?: number | undefined;
  readonly topP?: number | undefined;
  readonly stop?: readonly string[] | undefined;
}

/** A provider-neutral chat request: the whole conversation, system message first. */
export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly options: ChatOptions;
  /**
   * Text the answer must continue from (assistant prefill). Only sent when the provider's
   * `supportsPrefill(model)` is true; the deltas then carry only the continuation.
   */
  readonly prefill?: string | undefined;
}

/** Why the model stopped, mapped from the provider's own finish reasons. */
export type FinishReason = "stop" | "length" | "content_filter" | "unknown";

/** Token counts reported by the provider. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * What a provider stream yields: text deltas, then exactly one `finish`. A stream that ends
 * without `finish` is a failure, and providers throw `ProviderError("interrupted")` for it.
 */
export type ChatEvent =
  | { readonly type: "delta"; readonly text: string }
  | {
      readonly type: "finish";
      readonly reason: FinishReason;
      readonly usage: TokenUsage | undefined;
    };

/** Per-call inputs that are not part of the conversation. */
export interface ChatCallOptions {
  /** The model name at the provider (the part after the first colon of "provider:model"). */
  readonly model: string;
  /** Aborts the upstream request; reaches the socket. */
  readonly signal: AbortSignal;
  /** Child logger of the attempt. */
  readonly log: Logger;
  /** Time allowed for the upstream response headers, in milliseconds. */
  readonly headersTimeoutMs: number;
  /**
   * The model's largest answer, in tokens, when known. APIs that require a token limit
   * (Anthropic's `max_tokens`) send it when the request sets none.
   */
  readonly maxOutputTokens?: number | undefined;
}

/**
 * One upstream API. Providers are created by factories and composed, never inherited.
 * `streamChat` throws `ProviderError` (classified once, here, at the edge) for every failure.
 */
export interface ChatProvider {
  /** The configured provider name ("openai", "local" …). */
  readonly name: string;
  /**
   * Whether the provider can continue this model's answer from an assistant prefill (the model
   * name at the provider). On Bedrock, for example, only some model families can.
   */
  supportsPrefill(model: string): boolean;
  /** Streams one answer. The unary RPC folds the same events. */
  streamChat(request: ChatRequest, options: ChatCallOptions): AsyncIterable<ChatEvent>;
  /** Closes connection pools. */
  close(): Promise<void>;
}
