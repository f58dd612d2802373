import { randomUUID } from "node:crypto";
import {
  Code,
  ConnectError,
  type ContextValues,
  createContextKey,
  createContextValues,
  type Interceptor,
} from "@connectrpc/connect";
import { codeFromHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "pino";
import type { HttpRequest, HttpResponse } from "./http-handler.js";
import {
  clientAddressKey,
  onResponseClosedKey,
  type ResponseClosedListener,
  readRequestId,
  requestIdHeader,
  requestIdKey,
  requestLogKey,
} from "./request-context.js";

/** How an RPC ended: set by the interceptor, or by the protocol layer when it answered first. */
interface RpcOutcome {
  /** "ok" or the Connect code name, e.g. "not_found". */
  code?: string;
  error?: ConnectError;
  /** True when the interceptors ran (the handler was reached). */
  intercepted: boolean;
}

const rpcOutcomeKey = createContextKey<RpcOutcome | undefined>(undefined);

/** Codes that mean a bug or a broken dependency rather than a caller's mistake. */
const serverFaultCodes = new Set([Code.Internal, Code.Unknown, Code.DataLoss]);

/** Request ids, per-RPC loggers and one log line per RPC. */
export interface RpcLog {
  /**
   * Call first for every HTTP request: picks the request id (the caller's `x-request-id` when
   * sane, else a random UUID) and sends it back in the `x-request-id` response header.
   */
  begin(req: HttpRequest, res: HttpResponse): void;
  /**
   * connect-node's `contextValues` option, called only for requests that match an RPC: gives
   * the RPC its request id, child logger and client address, and logs one line with its code
   * and `durationMs` when its response closes.
   */
  contextValues(req: HttpRequest): ContextValues;
  /** Records each RPC's final code for that line; must be the outermost interceptor. */
  readonly interceptor: Interceptor;
  /** Whether the interceptors ran for the RPC with these context values. */
  intercepted(contextValues: unknown): boolean;
  /** Records the code of an RPC the protocol layer answered before the interceptors ran. */
  rejected(code: Code, contextValues: unknown): void;
}

/**
 * Creates the per-RPC logging. Lines are at info level (error for server faults, debug for the
 * grpc.* health and reflection calls that probes make every few seconds). Every line has a
 * `code`: the handler's, the protocol layer's when it refused the request first (unsupported
 * content type, malformed or oversize message: `rejected: true`), or `canceled` when the client
 * went away before the response ended.
 */
export function createRpcLog(log: Logger): RpcLog {
  const pending = new WeakMap<HttpRequest, { reqId: string; res: HttpResponse }>();
  const outcomeOf = (contextValues: unknown): RpcOutcome | undefined =>
    (contextValues as ContextValues | undefined)?.get(rpcOutcomeKey);
  return {
    begin(req, res) {
      const reqId = readRequestId(req.headers[requestIdHeader]) ?? randomUUID();
      res.setHeader(requestIdHeader, reqId);
      pending.set(req, { reqId, res });
    },
    contextValues(req) {
      const values = createContextValues();
      const started = pending.get(req);
      if (started === undefined) return values;
      const { reqId, res } = started;
      const startMs = performance.now();
      const rpc = (req.url ?? "").split("?", 1)[0]?.slice(1) ?? "";
      const rpcLog = log.child({ reqId, rpc });
      const outcome: RpcOutcome = { intercepted: false };
      let closeListeners: ResponseClosedListener[] | undefined = [];
      res.once("close", () => {
        const listeners = closeListeners ?? [];
        closeListeners = undefined;
        for (const listener of listeners) listener();
        const durationMs = Math.round((performance.now() - startMs) * 10) / 10;
        // A response that did not finish was cut off by its client (a reset, a closed socket).
        const code = res.writableFinished
          ? (outcome.code ?? codeToString(codeFromHttpStatus(res.statusCode)))
          : "canceled";
        const { error } = outcome;
        // Refused by the protocol layer: the HTTP status says how (415, 405 …).
        const fields = outcome.intercepted
          ? { code, durationMs }
          : { code, status: res.statusCode, rejected: true, durationMs };
        if (error !== undefined && serverFaultCodes.has(error.code) && code !== "canceled") {
          rpcLog.error({ ...fields, err: error }, "rpc failed");
        } else if (rpc.startsWith("grpc.")) {
          rpcLog.debug(fields, "rpc finished");
        } else {
          rpcLog.info(fields, "rpc finished");
        }
      });
      const onResponseClosed = (listener: ResponseClosedListener): void => {
        if (closeListeners === undefined) listener();
        else closeListeners.push(listener);
      };
      return values
        .set(requestIdKey, reqId)
        .set(requestLogKey, rpcLog)
        .set(rpcOutcomeKey, outcome)
        .set(clientAddressKey, req.socket?.remoteAddress ?? "")
        .set(onResponseClosedKey, onResponseClosed);
    },
    interceptor: (next) => async (req) => {
      const outcome = req.contextValues.get(rpcOutcomeKey);
      if (outcome === undefined) return next(req);
      outcome.intercepted = true;
      const settle = (error: ConnectError | undefined): void => {
        outcome.error = error;
        if (error !== undefined) outcome.code = codeToString(error.code);
        // A stream the client walked away from ends without an error, but did not succeed.
        else outcome.code = req.signal.aborted ? "canceled" : "ok";
      };
      try {
        const res = await next(req);
        if (!res.stream) {
          settle(undefined);
          return res;
        }
        return { ...res, message: settleWhenDone(res.message, settle) };
      } catch (error) {
        settle(ConnectError.from(error));
        throw error;
      }
    },
    intercepted: (contextValues) => outcomeOf(contextValues)?.intercepted ?? false,
    rejected(code, contextValues) {
      const outcome = outcomeOf(contextValues);
      if (outcome !== undefined) outcome.code = codeToString(code);
    },
  };
}

/** Passes `messages` through and reports how the stream ended: undefined, or the error. */
async function* settleWhenDone<T>(
  messages: AsyncIterable<T>,
  settle: (error: ConnectError | undefined) => void,
): AsyncGenerator<T> {
  let failure: ConnectError | undefined;
  try {
    yield* messages;
  } catch (error) {
    failure = ConnectError.from(error);
    throw error;
  } finally {
    settle(failure);
  }
}
