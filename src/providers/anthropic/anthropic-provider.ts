import type { Logger } from "pino";
import type { ProviderConfig } from "../../config/gateway-config.js";
import type { ChatCallOptions, ChatEvent, ChatProvider, ChatRequest } from "../chat-provider.js";
import { headerValue } from "../http/parse-retry-after.js";
import { bodyChunks, discardBody, drainBody, readBodyText } from "../http/response-body.js";
import { createUpstreamPool } from "../http/upstream-pool.js";
import { ProviderError } from "../provider-error.js";
import { parseSse } from "../sse/parse-sse.js";
import { prepareAnthropicPrefill } from "./anthropic-prefill.js";
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

    const response = await pool.post({ path: endpoint.path, headers, body }, call);
    const { statusCode: status, body: responseBody } = response;
    if (status < 200 || status >= 300) {
      const text = await readBodyText(responseBody, call.signal);
      throw classifyAnthropicError(config.name, { status, body: text, headers: response.headers });
    }
    const contentType = headerValue(response.headers, "content-type") ?? "";
    if (contentType !== "" && !contentType.includes("text/event-stream")) {
      discardBody(responseBody);
      throw new ProviderError(
        "malformed",
        `${config.name}: expected an event stream, got "${contentType.slice(0, 100)}"`,
        { status },
      );
    }

    let completion: AnthropicStreamEnd | undefined;
    const release = (end: AnthropicStreamEnd): void => {
      completion = end;
      if (end === "message_stop") drainBody(responseBody);
      else if (end === "stop_timeout") discardBody(responseBody);
    };
    try {
      const events = readAnthropicStream(parseSse(bodyChunks(responseBody)), {
        providerName: config.name,
        log: call.log,
        stopGraceMs: options.stopGraceMs,
        onComplete: release,
      });
      for await (const event of events) {
        if (event.type === "delta" && prefill !== undefined) {
          const text = prefill.continuation(event.text);
          if (text !== "") yield { type: "delta", text };
        } else {
          yield event;
        }
      }
    } catch (error) {
      if (call.signal.aborted) throw call.signal.reason;
      if (error instanceof ProviderError) throw error;
      throw new ProviderError(
        "interrupted",
        `${config.name}: the answer stream broke before its stop reason`,
        { cause: error },
      );
    } finally {
      // Failed or abandoned mid-answer: the connection cannot be reused.
      if (completion === undefined) discardBody(responseBody);
    }
  }

  return {
    name: config.name,
    supportsPrefill: () => true,
    streamChat,
    close: () => pool.close(),
  };
}

function requestHeaders(config: ProviderConfig): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "text/event-stream",
    "anthropic-version": ANTHROPIC_API_VERSION,
  };
  if (config.apiKey !== undefined && config.apiKey !== "") headers["x-api-key"] = config.apiKey;
  // Configured headers win: a gateway in front of the provider may need its own auth scheme.
  for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = value;
  return headers;
}
