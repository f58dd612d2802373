import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues, type HandlerContext } from "@connectrpc/connect";
import type { HttpRequest, HttpResponse } from "../http-handler.js";

/** What a lean call is made of. */
export interface LeanCallInit {
  readonly method: DescMethod;
  readonly req: HttpRequest;
  readonly res: HttpResponse;
  /** "connect", "grpc" or "grpc_web". */
  readonly protocolName: string;
  /** The deadline the client asked for, if any. */
  readonly timeoutMs: number | undefined;
  readonly values: ContextValues;
  /** Response headers set before the handler runs (content type). */
  readonly responseHeader: Record<string, string>;
  /** Response trailers set before the handler runs (gRPC's `grpc-status: 0`). */
  readonly responseTrailer?: Record<string, string>;
}

/** One RPC served by the lean path: its handler context and its clean-up. */
export interface LeanCall {
  readonly context: HandlerContext;
  /** Stops the deadline timer and the close listener; call once the response is written. */
  finish(): void;
}

/**
 * Creates the handler context of one RPC as connect-es would (same signal semantics: aborted
 * with DEADLINE_EXCEEDED when the client's deadline passes, CANCELED when the client goes away
 * before the response is complete), with less work per call: no linked controllers, no
 * abort at the end of a call that succeeded (an abort without a reason builds a DOMException
 * with its stack), a timer only when the client sent a deadline, and the request headers
 * converted to `Headers` only when read.
 */
export function createLeanCall(init: LeanCallInit): LeanCall {
  const { req, res } = init;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let deadlineAtMs: number | undefined;
  if (init.timeoutMs !== undefined) {
    // Whole milliseconds, as connect-es keeps it (a Date): gRPC deadlines may come in µs or ns.
    deadlineAtMs = Math.trunc(Date.now() + init.timeoutMs);
    timer = setTimeout(() => {
      controller.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
    }, init.timeoutMs);
  }
  const onClose = () => {
    if (!res.writableFinished) {
      controller.abort(new ConnectError("the client went away", Code.Canceled));
    }
  };
  res.once("close", onClose);
  let requestHeader: Headers | undefined;
  const context: HandlerContext = {
    method: init.method,
    service: init.method.parent,
    signal: controller.signal,
    timeoutMs: () => (deadlineAtMs === undefined ? undefined : deadlineAtMs - Date.now()),
    requestMethod: req.method ?? "POST",
    get requestHeader() {
      requestHeader ??= toHeaders(req.headers);
      return requestHeader;
    },
    responseHeader: new Headers(init.responseHeader),
    responseTrailer: new Headers(init.responseTrailer),
    protocolName: init.protocolName,
    values: init.values,
    get url() {
      return requestUrl(req);
    },
  };
  return {
    context,
    finish() {
      clearTimeout(timer);
      res.off("close", onClose);
    },
  };
}

/** Node's request headers as `Headers`, without HTTP/2 pseudo-headers. */
function toHeaders(headers: HttpRequest["headers"]): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) result.append(name, item);
    else result.set(name, value);
  }
  return result;
}

/** The request's absolute URL, as connect-node gives it to handlers. */
function requestUrl(req: HttpRequest): string {
  const encrypted = "encrypted" in req.socket && req.socket.encrypted === true;
  const host = req.headers[":authority"] ?? req.headers.host ?? "localhost";
  return `${encrypted ? "https" : "http"}://${host}${req.url ?? "/"}`;
}
