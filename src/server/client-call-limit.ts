import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { clientAddressKey, onResponseClosedKey } from "./request-context.js";
import { retryInfoDetail } from "./retry-info.js";

/** How long a refused client is asked to wait before it retries, in milliseconds. */
const retryAfterMs = 1_000;

/**
 * Bounds the RPCs in progress per client address (`server.limits.maxConcurrentCallsPerClient`):
 * one more is refused with RESOURCE_EXHAUSTED and a `google.rpc.RetryInfo` before its handler
 * runs. Health and reflection (`grpc.*`) are never refused: probes must see the truth while a
 * client floods. Until API keys exist the address is the only name a client has; behind a proxy
 * it is the proxy's. A slot is released when the RPC's response closes, however the RPC ended.
 */
export function createClientCallLimit(maxCallsPerClient: number): Interceptor {
  const inProgress = new Map<string, number>();
  const message = `too many calls in progress from this client address (server.limits.maxConcurrentCallsPerClient = ${maxCallsPerClient}); retry shortly`;
  return (next) => (req) => {
    if (req.service.typeName.startsWith("grpc.")) return next(req);
    const client = req.contextValues.get(clientAddressKey);
    const calls = inProgress.get(client) ?? 0;
    if (calls >= maxCallsPerClient) {
      throw new ConnectError(message, Code.ResourceExhausted, undefined, [
        retryInfoDetail(retryAfterMs),
      ]);
    }
    inProgress.set(client, calls + 1);
    req.contextValues.get(onResponseClosedKey)(() => {
      const left = (inProgress.get(client) ?? 1) - 1;
      if (left === 0) inProgress.delete(client);
      else inProgress.set(client, left);
    });
    return next(req);
  };
}
