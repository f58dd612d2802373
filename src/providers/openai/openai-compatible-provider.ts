import type { Logger } from "pino";
import type { ProviderConfig } from "../../config/gateway-config.js";
import { PROVIDER_TYPE_INFO } from "../../config/provider-types.js";
import type { ChatCallOptions, ChatEvent, ChatProvider, ChatRequest } from "../chat-provider.js";
import type { BodyRelease } from "../http/read-event-stream-body.js";
import { streamRequestHeaders } from "../http/stream-request-headers.js";
import { streamUpstreamAnswer } from "../http/stream-upstream-answer.js";
import { createUpstreamPool } from "../http/upstream-pool.js";
import { ProviderError } from "../provider-error.js";
import { classifyOpenAiError } from "./classify-openai-error.js";
import { mapOpenAiRequest } from "./map-openai-request.js";
import { type OpenAiDialect, openAiDialectOf } from "./openai-dialects.js";
import { type OpenAiStreamEnd, readOpenAiStream } from "./read-openai-stream.js";
import { resolveOpenAiEndpoint } from "./resolve-openai-endpoint.js";

/** Options of `createOpenAiCompatibleProvider`. */
export interface OpenAiCompatibleProviderOptions {
  /** Logs provider set-up; calls log to `ChatCallOptions.log`. */
  readonly log?: Logger | undefined;
  /** How long to wait for the usage chunk after the finish reason, in milliseconds. Default 1000. */
  readonly usageGraceMs?: number | undefined;
}

/**
 * A finish reason with usage or `[DONE]` leaves at most the end of the body: drained. After the
 * usage grace the body is still open: cut.
 */
const RELEASE_ON_END: Readonly<Record<OpenAiStreamEnd, BodyRelease>> = {
  usage: "drain",
  done: "drain",
  body_end: "ended",
  usage_timeout: "discard",
};

/**
 * Creates a provider for the OpenAI Chat Completions API and every server that speaks it: the
 * types whose wire is "openai" (openai, azure-openai, deepseek, openai-compatible and its
 * presets mistral, groq, openrouter, together, cerebras, sambanova, huggingface, github-models,
 * ollama, vllm). The base URL is `config.baseUrl`, else the type's default; the small
 * differences between servers (output-cap field, `stream_options`, auth header) come from
 * `OPENAI_DIALECTS`. For `azure-openai` the model of a call is the deployment name, sent in the
 * path with `api-version` (`config.apiVersion`, default `DEFAULT_AZURE_OPENAI_API_VERSION`), and
 * the key goes in the `api-key` header.
 *
 * `supportsPrefill` is false for all: OpenAI has no assistant prefill, and DeepSeek's
 * ("chat prefix completion") is a beta endpoint with its own base URL and message flag, which
 * the gateway does not speak yet.
 *
 * One undici `Pool` per provider (one origin), see `createUpstreamPool`. The caller's signal is
 * passed to undici, so that aborting closes the socket; an abort is rethrown as the signal's
 * reason, never classified as a provider failure.
 *
 * `close()` destroys the pool: requests still in flight then fail.
 *
 * Throws an `Error` when the type does not speak the OpenAI wire, or the base URL is missing
 * (azure-openai, openai-compatible) or invalid.
 */
export function createOpenAiCompatibleProvider(
  config: ProviderConfig,
  options: OpenAiCompatibleProviderOptions = {},
): ChatProvider {
  const dialect = openAiDialectOf(config.type);
  const endpoint = resolveOpenAiEndpoint(config);
  const headers = requestHeaders(config, dialect);
  const pool = createUpstreamPool({
    providerName: config.name,
    origin: endpoint.origin,
    maxConnections: config.maxConnections,
  });
  if (config.apiKey === undefined && PROVIDER_TYPE_INFO[config.type].keyRequired) {
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
    const body = JSON.stringify(
      mapOpenAiRequest(request, {
        model: call.model,
        maxTokensField: dialect.maxTokensField,
        streamOptions: dialect.streamOptions,
      }),
    );
    const path = endpoint.pathFor(call.model);
    call.log.debug({ path, model: call.model }, "upstream request");

    yield* streamUpstreamAnswer(pool, { path, headers, body }, call, {
      providerName: config.name,
      classifyError: classifyOpenAiError,
      awaited: "finish reason",
      releaseOnEnd: RELEASE_ON_END,
      read: (events, onComplete) =>
        readOpenAiStream(events, {
          providerName: config.name,
          log: call.log,
          usageGraceMs: options.usageGraceMs,
          onComplete,
        }),
    });
  }

  return {
    name: config.name,
    supportsPrefill: () => false,
    streamChat,
    // The gateway closes providers after its shutdown grace: whatever is still in flight then
    // (a detached generation, the drain of a finished answer) is cut rather than waited for.
    close: () => pool.close(),
  };
}

function requestHeaders(config: ProviderConfig, dialect: OpenAiDialect): Record<string, string> {
  const auth: Record<string, string> = {};
  // Servers that run without a key (Ollama, vLLM) get no auth header at all.
  if (config.apiKey !== undefined && config.apiKey !== "") {
    if (dialect.auth === "api-key") auth["api-key"] = config.apiKey;
    else auth.authorization = `Bearer ${config.apiKey}`;
  }
  return streamRequestHeaders(auth, config.headers);
}
