import { type Dispatcher, Pool } from "undici";
import type { ChatCallOptions } from "../chat-provider.js";
import { classifyTransportError } from "./classify-transport-error.js";

/** One upstream POST of a JSON body. */
export interface UpstreamRequest {
  /** Path and query, e.g. "/v1/chat/completions". */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body, serialized. */
  readonly body: string;
}

/** A keep-alive connection pool to one provider origin. */
export interface UpstreamPool {
  /**
   * Sends the request and resolves with the response once its headers arrived. Transport
   * failures before that are thrown as `ProviderError` (`timeout` after `headersTimeoutMs`,
   * else `unreachable`); the caller's abort is rethrown as the signal's reason.
   */
  post(request: UpstreamRequest, call: ChatCallOptions): Promise<Dispatcher.ResponseData>;
  /** Destroys the pool: requests still in flight fail. */
  close(): Promise<void>;
}

/** Options of `createUpstreamPool`. */
export interface UpstreamPoolOptions {
  /** The configured provider name, for error messages. */
  readonly providerName: string;
  /** "https://api.example.com". */
  readonly origin: string;
  /** Keep-alive connections; 0 for no limit. */
  readonly maxConnections: number;
}

/**
 * Creates the undici `Pool` of one provider: keep-alive, `pipelining: 1` so that a slow stream
 * never holds up another request, no body timeout (the engine enforces first-token and stall
 * limits) and the per-call headers timeout (undici checks it on a coarse timer: it fires up to
 * about a second late). The caller's signal reaches the socket.
 */
export function createUpstreamPool(options: UpstreamPoolOptions): UpstreamPool {
  const pool = new Pool(options.origin, {
    connections: options.maxConnections > 0 ? options.maxConnections : null,
    pipelining: 1,
    bodyTimeout: 0,
  });
  return {
    async post(request, call) {
      try {
        return await pool.request({
          method: "POST",
          path: request.path,
          headers: request.headers,
          body: request.body,
          signal: call.signal,
          headersTimeout: call.headersTimeoutMs,
          bodyTimeout: 0,
        });
      } catch (error) {
        if (call.signal.aborted) throw call.signal.reason;
        throw classifyTransportError(error, {
          providerName: options.providerName,
          headersTimeoutMs: call.headersTimeoutMs,
        });
      }
    },
    async close() {
      await pool.destroy();
    },
  };
}
