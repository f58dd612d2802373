import type { DescMessage } from "@bufbuild/protobuf";
import type { ContextValues, MethodImplSpec } from "@connectrpc/connect";
import {
  compressionNegotiate,
  type MethodSerializationLookup,
  mergeNonProtocolHeaders,
} from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  contentTypeUnaryJson,
  contentTypeUnaryProto,
  errorToJsonBytes,
  parseTimeout,
  trailerMux,
} from "@connectrpc/connect/protocol-connect";
import type { HttpRequest, HttpResponse } from "../http-handler.js";
import { callError } from "./call-error.js";
import { invokeUnary } from "./invoke-implementation.js";
import { createLeanCall } from "./lean-call.js";
import type { LeanOptions } from "./lean-options.js";
import { readRequestBytes } from "./read-request-bytes.js";
import { writeWholeResponse } from "./write-response.js";

/** A unary method as the lean path serves it. */
export interface LeanUnaryMethod {
  readonly spec: Extract<MethodImplSpec, { kind: "unary" }>;
  readonly serialization: MethodSerializationLookup<DescMessage, DescMessage>;
}

/**
 * Serves one Connect unary POST (`application/json` or `application/proto`) exactly as
 * connect-es's Connect handler does — deadline, compression both ways, size limits, error
 * body, `trailer-` headers — straight on Node's request and response: the body is read in
 * one piece and the answer written with one `end`. Never rejects.
 */
export async function serveConnectUnary(
  method: LeanUnaryMethod,
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
    header(headers["content-encoding"]),
    header(headers["accept-encoding"]),
    "accept-encoding",
  );
  const call = createLeanCall({
    method: method.spec.method,
    req,
    res,
    protocolName: "connect",
    timeoutMs: timeout.timeoutMs,
    values,
    responseHeader: { "content-type": binary ? contentTypeUnaryProto : contentTypeUnaryJson },
  });
  const { context } = call;
  let status = 200;
  let body: Uint8Array;
  let invoked = false;
  try {
    if (compression.error) throw compression.error;
    if (timeout.error) throw timeout.error;
    let bytes = await readRequestBytes(req, opt.readMaxBytes);
    if (compression.request) bytes = await compression.request.decompress(bytes, opt.readMaxBytes);
    const input = method.serialization.getI(binary).parse(bytes);
    invoked = true;
    const output = await invokeUnary(method.spec, context, input, opt.interceptors);
    body = method.serialization.getO(binary).serialize(output as never);
  } catch (thrown) {
    const error = callError(thrown, invoked, values, options);
    status = codeToHttpStatus(error.code);
    context.responseHeader.set("content-type", contentTypeUnaryJson);
    if (!error.isWireError) mergeNonProtocolHeaders(context.responseHeader, error.metadata);
    body = errorToJsonBytes(error, opt.jsonOptions);
  } finally {
    call.finish();
  }
  if (compression.response && body.byteLength >= opt.compressMinBytes) {
    body = await compression.response.compress(body);
    context.responseHeader.set("content-encoding", compression.response.name);
  }
  writeWholeResponse(
    res,
    status,
    trailerMux(context.responseHeader, context.responseTrailer),
    body,
  );
}

/** A request header's single value, as connect-es reads it. */
export function header(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}
