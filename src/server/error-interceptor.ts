import { ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { GatewayError } from "../gateway-error.js";
import { createSecretRegistry, type SecretRedactor } from "../secrets/secret-registry.js";
import { requestLogOr } from "./request-context.js";
import { toConnectError } from "./to-connect-error.js";

/**
 * Turns what handlers throw into Connect errors with `toConnectError`, for unary calls and for
 * errors in the middle of a stream. Bugs are logged on the RPC's own logger (with its request
 * id) when there is one, else on `log`. A handler that lets its own abort escape reports the
 * abort, not a bug. `secrets` are replaced in every message sent (default: none).
 */
export function createErrorInterceptor(
  log: Logger,
  secrets: SecretRedactor = createSecretRegistry(),
): Interceptor {
  return (next) => async (req) => {
    const toConnect = (error: unknown): ConnectError => {
      const domainOrConnect = error instanceof ConnectError || error instanceof GatewayError;
      if (!domainOrConnect && req.signal.aborted) {
        return ConnectError.from(req.signal.reason);
      }
      return toConnectError(error, requestLogOr(req.contextValues, log), secrets);
    };
    try {
      const res = await next(req);
      if (!res.stream) return res;
      return { ...res, message: mapErrors(res.message, toConnect) };
    } catch (error) {
      throw toConnect(error);
    }
  };
}

async function* mapErrors<T>(
  messages: AsyncIterable<T>,
  toConnect: (error: unknown) => ConnectError,
): AsyncGenerator<T> {
  try {
    yield* messages;
  } catch (error) {
    throw toConnect(error);
  }
}
