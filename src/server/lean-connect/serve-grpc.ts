import type { ContextValues } from "@connectrpc/connect";
import { compressionNegotiate } from "@connectrpc/connect/protocol";
import {
  contentTypeJson as grpcJson,
  contentTypeProto as grpcProto,
  grpcStatusOk,
  parseTimeout,
  setTrailerStatus,
} from "@connectrpc/connect/protocol-grpc";
import {
  contentTypeJson as grpcWebJson,
  contentTypeProto as grpcWebProto,
  trailerFlag,
  trailerSerialize,
} from "@connectrpc/connect/protocol-grpc-web";
import { toMinimalGrpcMessage } from "../grpc-message-encoding.js";
import type { HttpRequest, HttpResponse } from "../http-handler.js";
import { callError } from "./call-error.js";
import { createCoalescingWriter } from "./coalescing-writer.js";
import { createEnvelopeSealer, readSingleMessage, writeEnvelopedMessages } from "./envelopes.js";
import { copyHeaders, invokeServerStream, invokeUnary } from "./invoke-implementation.js";
import { createLeanCall } from "./lean-call.js";
import type { LeanOptions } from "./lean-options.js";
import type { LeanStreamMethod } from "./serve-connect-stream.js";
import type { LeanUnaryMethod } from "./serve-connect-unary.js";
import { header } from "./serve-connect-unary.js";

/** gRPC over HTTP/2 (status in HTTP trailers) or gRPC-Web (status in a trailer frame). */
export type GrpcDialect = "grpc" | "grpc_web";

/**
 * Serves one gRPC or gRPC-Web call of a unary or server-streaming method as connect-es's
 * handlers do — `grpc-timeout`, envelope compression both ways (`grpc-encoding`), size limits,
 * headers sent with the first message, the status, message and details in the trailers (gRPC's
 * `grpc-message` in the spec's minimal percent-encoding, see grpc-message-encoding.ts) — on
 * Node's request and response, the messages ready at the same time in one write. Never rejects.
 */
export async function serveGrpc(
  dialect: GrpcDialect,
  method: LeanUnaryMethod | LeanStreamMethod,
  binary: boolean,
  req: HttpRequest,
  res: HttpResponse,
  values: ContextValues,
  options: LeanOptions,
): Promise<void> {
  const opt = options.handler;
  const headers = req.headers;
  const web = dialect === "grpc_web";
  const timeout = parseTimeout(header(headers["grpc-timeout"]), opt.maxTimeoutMs);
  const compression = compressionNegotiate(
    opt.acceptCompression,
    header(headers["grpc-encoding"]),
    header(headers["grpc-accept-encoding"]),
    "grpc-accept-encoding",
  );
  const contentType = web ? (binary ? grpcWebProto : grpcWebJson) : binary ? grpcProto : grpcJson;
  const call = createLeanCall({
    method: method.spec.method,
    req,
    res,
    protocolName: dialect,
    timeoutMs: timeout.timeoutMs,
    values,
    responseHeader: { "content-type": contentType },
    responseTrailer: { "grpc-status": String(grpcStatusOk) },
  });
  const { context } = call;
  if (compression.response) context.responseHeader.set("grpc-encoding", compression.response.name);
  const writer = createCoalescingWriter(res, context.responseHeader);
  const seal = createEnvelopeSealer(compression.response, opt.compressMinBytes);
  let invoked = false;
  try {
    if (compression.error) throw compression.error;
    if (timeout.error) throw timeout.error;
    const input = await readSingleMessage(req, {
      serialization: method.serialization,
      binary,
      compression: compression.request,
      readMaxBytes: opt.readMaxBytes,
      // gRPC-Web clients may end their request with a trailer frame.
      skipFlags: web ? trailerFlag : 0,
      methodKind: method.spec.kind === "unary" ? "unary" : "server-streaming",
    });
    invoked = true;
    const serialize = method.serialization.getO(binary);
    if (method.spec.kind === "unary") {
      const output = await invokeUnary(method.spec, context, input, opt.interceptors);
      writer.write(await seal(0, serialize.serialize(output as never)));
    } else {
      const output = await invokeServerStream(method.spec, context, input, opt.interceptors);
      await writeEnvelopedMessages(output.messages, serialize, writer, seal);
      copyHeaders(output.trailer, context.responseTrailer);
    }
  } catch (thrown) {
    setTrailerStatus(context.responseTrailer, callError(thrown, invoked, values, options));
  } finally {
    call.finish();
  }
  if (!writer.open()) return;
  const trailer = context.responseTrailer;
  try {
    if (web) {
      writer.end(await seal(trailerFlag, trailerSerialize(trailer)));
      return;
    }
    const message = trailer.get("grpc-message");
    if (message !== null) trailer.set("grpc-message", toMinimalGrpcMessage(message));
    writer.endWithTrailers(trailer);
  } catch {
    res.destroy();
  }
}
