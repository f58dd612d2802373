import { randomUUID } from "node:crypto";
import {
  Code,
  ConnectError,
  type ContextValues,
  createContextKey,
  createContextValues,
  type Interceptor,
} from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "pino";
import type { HttpRequest, HttpResponse } from "./http-handler.js";
import { readRequestId, requestIdHeader, requestIdKey, requestLogKey } from "./request-context.js";

/** How an RPC ended, as seen by the interceptor; empty when the protocol layer rejected it first. */
interface RpcOutcome {
  /** "ok" or the Connect code name, e.g. "not_found". */
  code?: string;
  error?: ConnectError;
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
   * the RPC its request id and child logger, and logs one line with its code and `durationMs`
   * when its response closes.
   */
  contextValues(req: HttpRequest): ContextValues;
  /** Records each RPC's final code for that line; must be the outermost interceptor. */
  readonly interceptor: Interceptor;
}

/**
 * Creates the per-RPC logging. Lines are at info level (error for server faults, debug for the
 * grpc.* health and reflection calls that probes make every few seconds). An RPC that the
 * protocol layer rejects before its handler runs (unsupported content type, oversize or
 * malformed request) is logged with its HTTP `status` instead of a code.
 */
export function createRpcLog(log: Logger): RpcLog {
  const pending = new WeakMap<HttpRequest, { reqId: string; res: HttpResponse }>();
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
      const outcome: RpcOutcome = {};
      res.once("close", () => {
        const durationMs = Math.round((performance.now() - startMs) * 10) / 10;
        const { code, error } = outcome;
        if (code === undefined) {
          rpcLog.info({ status: res.statusCode, durationMs }, "rpc ended before its handler");
        } else if (error !== undefined && serverFaultCodes.has(error.code)) {
          rpcLog.error({ code, durationMs, err: error }, "rpc failed");
        } else if (rpc.startsWith("grpc.")) {
          rpcLog.debug({ code, durationMs }, "rpc finished");
        } else {
          rpcLog.info({ code, durationMs }, "rpc finished");
        }
      });
      return values.set(requestIdKey, reqId).set(requestLogKey, rpcLog).set(rpcOutcomeKey, outcome);
    },
    interceptor: (next) => async (req) => {
      const outcome = req.contextValues.get(rpcOutcomeKey);
      if (outcome === undefined) return next(req);
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
