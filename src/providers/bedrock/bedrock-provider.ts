import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  ConverseStreamCommand,
  type ConverseStreamOutput,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { Logger } from "pino";
import type { ProviderConfig } from "../../config/gateway-config.js";
import type { ChatCallOptions, ChatEvent, ChatProvider, ChatRequest } from "../chat-provider.js";
import { ProviderError } from "../provider-error.js";
import { classifyBedrockError } from "./classify-bedrock-error.js";
import { bedrockModelSupportsPrefill, mapBedrockRequest } from "./map-bedrock-request.js";
import { readBedrockStream } from "./read-bedrock-stream.js";

/** AWS credentials: static keys or a provider function, as the SDK accepts them. */
export type BedrockCredentials = NonNullable<BedrockRuntimeClientConfig["credentials"]>;

/** Options of `createBedrockProvider`. */
export interface BedrockProviderOptions {
  /** Logs provider set-up; calls log to `ChatCallOptions.log`. */
  readonly log?: Logger | undefined;
  /** Default: the SDK's default chain (environment, profile, SSO, container and IMDS roles). */
  readonly credentials?: BedrockCredentials | undefined;
}

/**
 * After a complete answer the rest of the event stream is read so that the keep-alive
 * connection can be reused, for at most this long, in milliseconds; then it is cut.
 */
const DRAIN_TIMEOUT_MS = 500;

/**
 * Creates a provider for Amazon Bedrock's Converse API (`ConverseStream`), which speaks to every
 * Bedrock chat model with one request shape. One `BedrockRuntimeClient` per provider:
 * `region` = `config.region` (unset → the SDK's chain: AWS_REGION, profile …), `endpoint` =
 * `config.baseUrl` when set (a VPC endpoint, or a fake in tests), credentials from `options`
 * or the SDK's default chain, `maxAttempts: 1` (the engine owns retries). Requests go over
 * HTTP/1.1 keep-alive agents of `config.maxConnections` sockets (the SDK's default for Bedrock
 * is HTTP/2, which a plain-HTTP endpoint override cannot speak); `config.headers` are added to
 * every request after the SDK's own, so they win, and are signed with it.
 *
 * The SDK resolves `send` when the response headers arrive; `call.headersTimeoutMs` is enforced
 * here (an abort, then `ProviderError("timeout")`). The caller's signal reaches the socket; an
 * abort is rethrown as the signal's reason, never classified.
 *
 * `supportsPrefill(model)` is true for Anthropic Claude models only: they continue from a final
 * assistant message. Other families (Llama, Mistral, Nova …) do not reliably do so through
 * Converse, so the engine restarts their answers instead; a prefill sent anyway fails at once
 * with `ProviderError("rejected")`, before any request is sent.
 *
 * `close()` destroys the client and its sockets: requests still in flight then fail.
 */
export function createBedrockProvider(
  config: ProviderConfig,
  options: BedrockProviderOptions = {},
): ChatProvider {
  const client = new BedrockRuntimeClient(clientConfig(config, options));
  addConfiguredHeaders(client, config.headers);

  async function* streamChat(
    request: ChatRequest,
    call: ChatCallOptions,
  ): AsyncGenerator<ChatEvent, void, undefined> {
    const hasPrefill = request.prefill !== undefined && request.prefill !== "";
    if (hasPrefill && !bedrockModelSupportsPrefill(call.model)) {
      throw new ProviderError(
        "rejected",
        `${config.name}: assistant prefill is only supported for Anthropic Claude models`,
      );
    }
    const command = new ConverseStreamCommand(mapBedrockRequest(request, call.model));
    call.log.debug({ model: call.model }, "upstream request");

    // Ours to abort: at the headers timeout, and to cut the connection of an abandoned answer.
    const local = new AbortController();
    const abortSignal = AbortSignal.any([call.signal, local.signal]);
    const headersTimer = setTimeout(() => local.abort(), call.headersTimeoutMs);
    let stream: AsyncIterable<ConverseStreamOutput> | undefined;
    try {
      ({ stream } = await client.send(command, { abortSignal }));
    } catch (error) {
      if (call.signal.aborted) throw call.signal.reason;
      if (local.signal.aborted) {
        throw new ProviderError(
          "timeout",
          `${config.name}: no response headers within ${call.headersTimeoutMs} ms`,
          { cause: error },
        );
      }
      throw classifyBedrockError(config.name, error, "request");
    } finally {
      clearTimeout(headersTimer);
    }
    if (stream === undefined) {
      local.abort();
      throw new ProviderError("malformed", `${config.name}: the response has no event stream`);
    }

    // Anthropic refuses a prefill that ends in whitespace, so it was sent without it; the model
    // then starts with that whitespace, which the caller already has: drop it.
    let trimLeading = hasPrefill && request.prefill !== request.prefill?.trimEnd();
    const events = stream[Symbol.asyncIterator]();
    let complete = false;
    try {
      for await (const event of readBedrockStream(events, {
        providerName: config.name,
        log: call.log,
      })) {
        if (event.type === "finish") {
          complete = true;
          yield event;
        } else if (!trimLeading) {
          yield event;
        } else {
          const text = event.text.trimStart();
          if (text === "") continue;
          trimLeading = false;
          yield { type: "delta", text };
        }
      }
    } catch (error) {
      if (call.signal.aborted) throw call.signal.reason;
      if (error instanceof ProviderError) throw error;
      throw classifyBedrockError(config.name, error, "stream");
    } finally {
      if (complete) drainEvents(events, local);
      else local.abort();
    }
  }

  return {
    name: config.name,
    supportsPrefill: bedrockModelSupportsPrefill,
    streamChat,
    async close() {
      client.destroy();
    },
  };
}

function clientConfig(
  config: ProviderConfig,
  options: BedrockProviderOptions,
): BedrockRuntimeClientConfig {
  const agentOptions = {
    keepAlive: true,
    maxSockets: config.maxConnections > 0 ? config.maxConnections : Number.POSITIVE_INFINITY,
  };
  const clientConfig: BedrockRuntimeClientConfig = {
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  };
  if (config.region !== undefined && config.region !== "") clientConfig.region = config.region;
  if (config.baseUrl !== "") clientConfig.endpoint = config.baseUrl;
  if (options.credentials !== undefined) clientConfig.credentials = options.credentials;
  return clientConfig;
}

/**
 * Adds the configured headers to every request, in the build step after the SDK's own headers
 * (user agent …) and before signing, so that they win and are signed with the request.
 */
function addConfiguredHeaders(
  client: BedrockRuntimeClient,
  headers: Readonly<Record<string, string>>,
): void {
  const entries = Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]);
  if (entries.length === 0) return;
  client.middlewareStack.add(
    (next) => async (args) => {
      const request: unknown = args.request;
      if (typeof request === "object" && request !== null && "headers" in request) {
        const target = request.headers as Record<string, string>;
        for (const [name, value] of entries) {
          for (const existing of Object.keys(target)) {
            if (existing.toLowerCase() === name) delete target[existing];
          }
          if (name !== undefined && value !== undefined) target[name] = value;
        }
      }
      return next(args);
    },
    { step: "build", priority: "low", name: "switchboardConfiguredHeaders" },
  );
}

/**
 * Reads the rest of a complete answer's event stream in the background (for real Bedrock only
 * the end of the body), so that its connection goes back to the agent; a stream that does not
 * end within `DRAIN_TIMEOUT_MS` is cut.
 */
function drainEvents(events: AsyncIterator<ConverseStreamOutput>, local: AbortController): void {
  const timer = setTimeout(() => local.abort(), DRAIN_TIMEOUT_MS);
  void (async () => {
    try {
      for (let result = await events.next(); result.done !== true; result = await events.next()) {
        // Nothing after the metadata is part of the answer.
      }
    } catch {
      // Cut by the timeout or by the server: the answer was already complete.
    } finally {
      clearTimeout(timer);
    }
  })();
}
