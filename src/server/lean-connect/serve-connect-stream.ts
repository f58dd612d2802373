import type { DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues, type MethodImplSpec } from "@connectrpc/connect";
import {
  type Compression,
  compressionNegotiate,
  encodeEnvelope,
  envelopeCompress,
  envelopeDecompress,
  type MethodSerializationLookup,
} from "@connectrpc/connect/protocol";
import {
  contentTypeStreamJson,
  contentTypeStreamProto,
  type createEndStreamSerialization,
  endStreamFlag,
  parseTimeout,
} from "@connectrpc/connect/protocol-connect";
import { isClientCausedInternal } from "../client-caused-errors.js";
import type { HttpRequest, HttpResponse } from "../http-handler.js";
import { createCoalescingWriter } from "./coalescing-writer.js";
import { copyHeaders, invokeServerStream } from "./invoke-implementation.js";
import { createLeanCall } from "./lean-call.js";
import type { LeanOptions } from "./lean-options.js";
import { readRequestBytes } from "./read-request-bytes.js";
import { header } from "./serve-connect-unary.js";
import { splitEnvelopes } from "./split-envelopes.js";

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
  const seal = (flags: number, data: Uint8Array): Uint8Array | Promise<Uint8Array> =>
    compression.response && data.byteLength >= opt.compressMinBytes
      ? compressEnvelope(flags, data, compression.response)
      : encodeEnvelope(flags, data);
  let failure: ConnectError | undefined;
  let invoked = false;
  try {
    if (compression.error) throw compression.error;
    if (timeout.error) throw timeout.error;
    const body = await readRequestBytes(req, opt.readMaxBytes + 10);
    const inputs = [];
    for (const envelope of splitEnvelopes(body, opt.readMaxBytes)) {
      const { data } = await envelopeDecompress(envelope, compression.request, opt.readMaxBytes);
      inputs.push(method.serialization.getI(binary).parse(data));
    }
    if (inputs.length !== 1) {
      const problem =
        inputs.length === 0 ? "missing input message" : "received extra input message";
      throw new ConnectError(
        `protocol error: ${problem} for server-streaming method`,
        Code.Unimplemented,
      );
    }
    invoked = true;
    const output = await invokeServerStream(method.spec, context, inputs[0], opt.interceptors);
    const serialize = method.serialization.getO(binary);
    for await (const message of output.messages) {
      if (!writer.open()) break;
      const data = serialize.serialize(message);
      if (!writer.write(await seal(0, data))) await writer.drained();
    }
    copyHeaders(output.trailer, context.responseTrailer);
  } catch (thrown) {
    failure =
      thrown instanceof ConnectError
        ? thrown
        : new ConnectError("internal error", Code.Internal, undefined, undefined, thrown);
    if (!invoked) {
      // A request the protocol layer refused: reported, and a malformed message is the
      // client's mistake, as on the connect-node path (see protocol-rejections.ts).
      if (isClientCausedInternal(failure.code, failure.rawMessage)) {
        failure = new ConnectError(failure.rawMessage, Code.InvalidArgument, failure.metadata);
      }
      options.onRejected(failure.code, values);
    }
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

async function compressEnvelope(
  flags: number,
  data: Uint8Array,
  compression: Compression,
): Promise<Uint8Array> {
  const envelope = await envelopeCompress({ flags, data }, compression, 0);
  return encodeEnvelope(envelope.flags, envelope.data);
}
