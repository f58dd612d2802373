import type { DescMessage } from "@bufbuild/protobuf";
import type { ConnectError, ContextValues, MethodImplSpec } from "@connectrpc/connect";
import { compressionNegotiate, type MethodSerializationLookup } from "@connectrpc/connect/protocol";
import {
  contentTypeStreamJson,
  contentTypeStreamProto,
  type createEndStreamSerialization,
  endStreamFlag,
  parseTimeout,
} from "@connectrpc/connect/protocol-connect";
import type { HttpRequest, HttpResponse } from "../http-handler.js";
import { callError } from "./call-error.js";
import { createCoalescingWriter } from "./coalescing-writer.js";
import { createEnvelopeSealer, readSingleMessage, writeEnvelopedMessages } from "./envelopes.js";
import { copyHeaders, invokeServerStream } from "./invoke-implementation.js";
import { createLeanCall } from "./lean-call.js";
import type { LeanOptions } from "./lean-options.js";
import { header } from "./serve-connect-unary.js";

/** A server-streaming method as the lean path serves it. */
export interface LeanStreamMethod {
  readonly spec: Extract<MethodImplSpec, { kind: "server_streaming" }>;
  readonly serialization: MethodSerializationLookup<DescMessage, DescMessage>;
  readonly endStream: ReturnType<typeof createEndStreamSerialization>;
}

/**
 * Serves one Connect server-streaming POST (`application/connect+json` or `+proto`) as
 * connect-es's Connect handler does — deadline, envelope compression both ways, size limits,
 * headers sent with the first message, errors and trailers in the end-stream message — on
 * Node's request and response. Messages that are ready at the same time leave in one socket
 * write (see `createCoalescingWriter`); the next message is asked for once the previous one
 * was handed to the connection, or once it drained when the connection is full. Never rejects.
 */
export async function serveConnectStream(
  method: LeanStreamMethod,
  binary: boolean,
  req: HttpRequest,
  res: HttpResponse,
  values: ContextValues,
  options: LeanOptions,
): Promise<void> {
  const opt = options.handler;
  const headers = req.headers;
  const timeout = parseTimeout(header(headers["connect-timeout-ms"]), opt.maxTimeoutMs);
  const compression = compressionNegotiate(
    opt.acceptCompression,
    header(headers["connect-content-encoding"]),
    header(headers["connect-accept-encoding"]),
    "connect-accept-encoding",
  );
  const call = createLeanCall({
    method: method.spec.method,
    req,
    res,
    protocolName: "connect",
    timeoutMs: timeout.timeoutMs,
    values,
    responseHeader: { "content-type": binary ? contentTypeStreamProto : contentTypeStreamJson },
  });
  const { context } = call;
  if (compression.response) {
    context.responseHeader.set("connect-content-encoding", compression.response.name);
  }
  const writer = createCoalescingWriter(res, context.responseHeader);
  const seal = createEnvelopeSealer(compression.response, opt.compressMinBytes);
  let failure: ConnectError | undefined;
  let invoked = false;
  try {
    if (compression.error) throw compression.error;
    if (timeout.error) throw timeout.error;
    const input = await readSingleMessage(req, {
      serialization: method.serialization,
      binary,
      compression: compression.request,
      readMaxBytes: opt.readMaxBytes,
      skipFlags: 0,
      methodKind: "server-streaming",
    });
    invoked = true;
    const output = await invokeServerStream(method.spec, context, input, opt.interceptors);
    await writeEnvelopedMessages(output.messages, method.serialization.getO(binary), writer, seal);
    copyHeaders(output.trailer, context.responseTrailer);
  } catch (thrown) {
    failure = callError(thrown, invoked, values, options);
  } finally {
    call.finish();
  }
  if (!writer.open()) return;
  try {
    const end = method.endStream.serialize({ metadata: context.responseTrailer, error: failure });
    writer.end(await seal(endStreamFlag, end));
  } catch {
    res.destroy();
  }
}
