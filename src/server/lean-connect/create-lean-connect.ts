import type { ContextValues } from "@connectrpc/connect";
import {
  createMethodSerializationLookup,
  type UniversalHandlerOptions,
  validateUniversalHandlerOptions,
} from "@connectrpc/connect/protocol";
import {
  createEndStreamSerialization,
  parseContentType,
} from "@connectrpc/connect/protocol-connect";
import { parseContentType as parseGrpcContentType } from "@connectrpc/connect/protocol-grpc";
import { parseContentType as parseGrpcWebContentType } from "@connectrpc/connect/protocol-grpc-web";
import type { Logger } from "pino";
import type { HttpRequest, HttpResponse } from "../http-handler.js";
import type { ProtocolRejectionListener } from "../protocol-rejections.js";
import type { LeanOptions } from "./lean-options.js";
import type { RegisteredMethod } from "./recording-router.js";
import { type LeanStreamMethod, serveConnectStream } from "./serve-connect-stream.js";
import { type LeanUnaryMethod, serveConnectUnary } from "./serve-connect-unary.js";
import { serveGrpc } from "./serve-grpc.js";

/** Options of `createLeanConnect`. */
export interface LeanConnectOptions {
  /** The options connect-node's adapter gets (limits, compressions, interceptors). */
  readonly handler: Partial<UniversalHandlerOptions>;
  /** The context values of an RPC, as connect-node's `contextValues` option gives them. */
  readonly contextValues: (req: HttpRequest) => ContextValues;
  readonly onRejected: ProtocolRejectionListener;
  readonly log: Logger;
}

/** The lean path in front of connect-node. */
export interface LeanConnect {
  /**
   * Serves the request and returns true when it is a POST (no query string) of a unary or
   * server-streaming method in Connect (with the content type of that kind), gRPC over HTTP/2
   * or binary gRPC-Web; returns false, having touched nothing, for anything else (GET, gRPC over
   * HTTP/1.1, gRPC-Web text, other methods or content types), which connect-node then serves.
   */
  handle(req: HttpRequest, res: HttpResponse): boolean;
}

type LeanMethod =
  | { readonly kind: "unary"; readonly method: LeanUnaryMethod; readonly lean: LeanOptions }
  | {
      readonly kind: "server_streaming";
      readonly method: LeanStreamMethod;
      readonly lean: LeanOptions;
    };

/**
 * Creates the lean path for Connect, gRPC and gRPC-Web over `implementations` (the same functions
 * connect-node's router calls, with the same options): the calls of the hot RPCs skip connect-node's generic layers
 * (the universal request and response, linked abort controllers, async-iterable pipelines)
 * and answer exactly as it would — same options, interceptors, serialization, limits and
 * errors; the Connect conformance suite runs against both.
 */
export function createLeanConnect(
  implementations: readonly RegisteredMethod[],
  options: LeanConnectOptions,
): LeanConnect {
  const methods = new Map<string, LeanMethod>();
  for (const { spec, options: own } of implementations) {
    // A service's own options override the router's, as connect-es merges them.
    const handler = validateUniversalHandlerOptions({ ...options.handler, ...own });
    const lean: LeanOptions = { handler, onRejected: options.onRejected };
    const path = `/${spec.method.parent.typeName}/${spec.method.name}`;
    const serialization = createMethodSerializationLookup(
      spec.method,
      handler.binaryOptions,
      handler.jsonOptions,
      handler,
    );
    if (spec.kind === "unary") {
      methods.set(path, { kind: "unary", method: { spec, serialization }, lean });
    } else if (spec.kind === "server_streaming") {
      const endStream = createEndStreamSerialization(handler.jsonOptions);
      methods.set(path, {
        kind: "server_streaming",
        method: { spec, serialization, endStream },
        lean,
      });
    }
  }
  const fail = (res: HttpResponse) => (error: unknown) => {
    options.log.error({ err: error }, "lean path failed to answer");
    res.destroy();
  };
  return {
    handle(req, res) {
      if (req.method !== "POST") return false;
      const found = methods.get(req.url ?? "");
      if (found === undefined) return false;
      const serve = chooseServe(found, req);
      if (serve === undefined) return false;
      serve(req, res, options.contextValues(req)).catch(fail(res));
      return true;
    },
  };
}

type Serve = (req: HttpRequest, res: HttpResponse, values: ContextValues) => Promise<void>;

/**
 * How the lean path serves this request of `found`'s method, by its content type: Connect of
 * the method's kind, gRPC over HTTP/2 (it needs HTTP trailers), binary gRPC-Web (the base64
 * `-text` variant stays with connect-node, which refuses it); undefined for anything else.
 */
function chooseServe(found: LeanMethod, req: HttpRequest): Serve | undefined {
  const contentType = req.headers["content-type"];
  if (contentType === undefined) return undefined;
  const { method, lean } = found;
  if (contentType.startsWith("application/grpc-web")) {
    const type = parseGrpcWebContentType(contentType);
    if (type === undefined || type.text) return undefined;
    return (rq, rs, values) => serveGrpc("grpc_web", method, type.binary, rq, rs, values, lean);
  }
  if (contentType.startsWith("application/grpc")) {
    const type = parseGrpcContentType(contentType);
    if (type === undefined || req.httpVersionMajor !== 2) return undefined;
    return (rq, rs, values) => serveGrpc("grpc", method, type.binary, rq, rs, values, lean);
  }
  const type = parseContentType(contentType);
  if (type === undefined || type.stream !== (found.kind === "server_streaming")) return undefined;
  return found.kind === "unary"
    ? (rq, rs, values) => serveConnectUnary(found.method, type.binary, rq, rs, values, lean)
    : (rq, rs, values) => serveConnectStream(found.method, type.binary, rq, rs, values, lean);
}
