import type { Logger } from "pino";
import type { ProviderConfig } from "../../config/gateway-config.js";
import type { ChatCallOptions, ChatEvent, ChatProvider, ChatRequest } from "../chat-provider.js";
import type { BodyRelease } from "../http/read-event-stream-body.js";
import { streamRequestHeaders } from "../http/stream-request-headers.js";
import { streamUpstreamAnswer } from "../http/stream-upstream-answer.js";
import { createUpstreamPool } from "../http/upstream-pool.js";
import { ProviderError } from "../provider-error.js";
import { classifyGeminiError } from "./classify-gemini-error.js";
import { mapGeminiRequest } from "./map-gemini-request.js";
import { type GeminiStreamEnd, readGeminiStream } from "./read-gemini-stream.js";
import { resolveGeminiEndpoint } from "./resolve-gemini-endpoint.js";

/** Options of `createGeminiProvider`. */
export interface GeminiProviderOptions {
  /** Logs provider set-up; calls log to `ChatCallOptions.log`. */
  readonly log?: Logger | undefined;
  /**
   * How long to wait, after the finish reason, for the usage or the end of the body, in
   * milliseconds. Default 1000.
   */
  readonly finishGraceMs?: number | undefined;
}

/** The last chunk carries the usage: the rest is drained. After the grace time the body is cut. */
const RELEASE_ON_END: Readonly<Record<GeminiStreamEnd, BodyRelease>> = {
  usage: "drain",
  body_end: "ended",
  grace_timeout: "discard",
};

/**
 * Creates a provider for the Gemini API (Generative Language API): `POST
 * {baseUrl}/models/{model}:streamGenerateContent?alt=sse` (default base URL
 * https://generativelanguage.googleapis.com/v1beta), the key in the `x-goog-api-key` header —
 * never in the URL, where it would end up in access logs. Configured `headers` win over ours.
 *
 * `supportsPrefill` is false: the Gemini API documents no assistant prefill. A conversation
 * ending on a "model" turn is not guaranteed to be continued (thinking models start a new turn,
 * and some models reject it), so a continuation could repeat or contradict the partial text.
 *
 * One undici `Pool` per provider: keep-alive, `pipelining: 1`, no body timeout (the engine
 * enforces first-token and stall limits) and the per-call headers timeout. The caller's signal
 * reaches the socket; an abort is rethrown as the signal's reason, never classified.
 *
 * `close()` destroys the pool: requests still in flight then fail.
 *
 * Throws an `Error` when the base URL is invalid.
 */
export function createGeminiProvider(
  config: ProviderConfig,
  options: GeminiProviderOptions = {},
): ChatProvider {
  const endpoint = resolveGeminiEndpoint(config);
  const headers = requestHeaders(config);
  const pool = createUpstreamPool({
    providerName: config.name,
    origin: endpoint.origin,
    maxConnections: config.maxConnections,
  });
  if (config.apiKey === undefined || config.apiKey === "") {
    options.log?.warn(
      { provider: config.name },
      "provider has no apiKey; its requests will be refused as unauthorized",
    );
  }

  async function* streamChat(
    request: ChatRequest,
    call: ChatCallOptions,
  ): AsyncGenerator<ChatEvent, void, undefined> {
    if (request.prefill !== undefined) {
      throw new ProviderError("rejected", `${config.name}: assistant prefill is not supported`);
    }
    const path = endpoint.streamPath(call.model);
    const body = JSON.stringify(mapGeminiRequest(request));
    call.log.debug({ path, model: call.model }, "upstream request");

    yield* streamUpstreamAnswer(pool, { path, headers, body }, call, {
      providerName: config.name,
      classifyError: classifyGeminiError,
      awaited: "finish reason",
      releaseOnEnd: RELEASE_ON_END,
      read: (events, onComplete) =>
        readGeminiStream(events, {
          providerName: config.name,
          log: call.log,
          finishGraceMs: options.finishGraceMs,
          onComplete,
        }),
    });
  }

  return {
    name: config.name,
    supportsPrefill: () => false,
    streamChat,
    close: () => pool.close(),
  };
}

function requestHeaders(config: ProviderConfig): Record<string, string> {
  const auth: Record<string, string> = {};
  if (config.apiKey !== undefined && config.apiKey !== "") auth["x-goog-api-key"] = config.apiKey;
  return streamRequestHeaders(auth, config.headers);
}
