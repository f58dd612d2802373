import type { Logger } from "pino";
import type { ProviderConfig } from "../../config/gateway-config.js";
import type { ChatCallOptions, ChatEvent, ChatProvider, ChatRequest } from "../chat-provider.js";
import type { BodyRelease } from "../http/read-event-stream-body.js";
import { streamRequestHeaders } from "../http/stream-request-headers.js";
import { streamUpstreamAnswer } from "../http/stream-upstream-answer.js";
import { createUpstreamPool } from "../http/upstream-pool.js";
import { type AnthropicPrefill, prepareAnthropicPrefill } from "./anthropic-prefill.js";
import { classifyAnthropicError } from "./classify-anthropic-error.js";
import { mapAnthropicRequest } from "./map-anthropic-request.js";
import { type AnthropicStreamEnd, readAnthropicStream } from "./read-anthropic-stream.js";
import { resolveAnthropicEndpoint } from "./resolve-anthropic-endpoint.js";

/** The API version sent in `anthropic-version`: the one the wire schema follows. */
export const ANTHROPIC_API_VERSION = "2023-06-01";

/** Options of `createAnthropicProvider`. */
export interface AnthropicProviderOptions {
  /** Logs provider set-up; calls log to `ChatCallOptions.log`. */
  readonly log?: Logger | undefined;
  /** How long to wait for `message_stop` after the stop reason, in milliseconds. Default 1000. */
  readonly stopGraceMs?: number | undefined;
}

/** After `message_stop` only the end of the body is left: drained. After the grace: cut. */
const RELEASE_ON_END: Readonly<Record<AnthropicStreamEnd, BodyRelease>> = {
  message_stop: "drain",
  body_end: "ended",
  stop_timeout: "discard",
};

/**
 * Creates a provider for the Anthropic Messages API (`POST <baseUrl>/messages`, default base
 * URL https://api.anthropic.com/v1), streamed with Server-Sent Events. Sends `x-api-key`,
 * `anthropic-version: 2023-06-01`, JSON and `accept: text/event-stream`; configured headers win
 * (a gateway in front of Anthropic may need its own auth scheme).
 *
 * `supportsPrefill` is true: the prefill is sent as the final assistant message, without its
 * trailing whitespace (which the API refuses), and the deltas carry only the continuation,
 * with the whitespace the model repeats at its start dropped (see `prepareAnthropicPrefill`),
 * so that `prefill + deltas` reads right.
 *
 * Connections: one undici pool per provider (see `createUpstreamPool`); the caller's signal
 * reaches the socket, and an abort is rethrown as the signal's reason, never classified.
 * `close()` destroys the pool: requests still in flight then fail.
 *
 * Throws an `Error` when the base URL is invalid.
 */
export function createAnthropicProvider(
  config: ProviderConfig,
  options: AnthropicProviderOptions = {},
): ChatProvider {
  const endpoint = resolveAnthropicEndpoint(config);
  const headers = requestHeaders(config);
  const pool = createUpstreamPool({
    providerName: config.name,
    origin: endpoint.origin,
    maxConnections: config.maxConnections,
  });
  if (headers["x-api-key"] === undefined) {
    options.log?.warn(
      { provider: config.name },
      "provider has no apiKey; its requests will be refused as unauthorized",
    );
  }

  async function* streamChat(
    request: ChatRequest,
    call: ChatCallOptions,
  ): AsyncGenerator<ChatEvent, void, undefined> {
    const prefill =
      request.prefill === undefined ? undefined : prepareAnthropicPrefill(request.prefill);
    const body = JSON.stringify(
      mapAnthropicRequest(request, {
        model: call.model,
        maxOutputTokens: call.maxOutputTokens,
        prefillText: prefill?.sentText,
      }),
    );
    call.log.debug({ path: endpoint.path, model: call.model }, "upstream request");

    yield* streamUpstreamAnswer(pool, { path: endpoint.path, headers, body }, call, {
      providerName: config.name,
      classifyError: classifyAnthropicError,
      awaited: "stop reason",
      releaseOnEnd: RELEASE_ON_END,
      read: (events, onComplete) =>
        continuationOf(
          readAnthropicStream(events, {
            providerName: config.name,
            log: call.log,
            stopGraceMs: options.stopGraceMs,
            onComplete,
          }),
          prefill,
        ),
    });
  }

  return {
    name: config.name,
    supportsPrefill: () => true,
    streamChat,
    close: () => pool.close(),
  };
}

function requestHeaders(config: ProviderConfig): Record<string, string> {
  const own: Record<string, string> = { "anthropic-version": ANTHROPIC_API_VERSION };
  if (config.apiKey !== undefined && config.apiKey !== "") own["x-api-key"] = config.apiKey;
  return streamRequestHeaders(own, config.headers);
}

/** The answer's events with each delta cut to what continues the prefill, when there is one. */
async function* continuationOf(
  events: AsyncIterable<ChatEvent>,
  prefill: AnthropicPrefill | undefined,
): AsyncGenerator<ChatEvent, void, undefined> {
  for await (const event of events) {
    if (event.type === "delta" && prefill !== undefined) {
      const text = prefill.continuation(event.text);
      if (text !== "") yield { type: "delta", text };
    } else {
      yield event;
    }
  }
}
