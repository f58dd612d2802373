import { create, createRegistry, type Registry } from "@bufbuild/protobuf";
import { type Any, anyPack } from "@bufbuild/protobuf/wkt";
import {
  type Code,
  ConnectError,
  type HandlerContext,
  type ServiceImpl,
} from "@connectrpc/connect";
import {
  BidiStreamRequestSchema,
  ClientStreamRequestSchema,
  type Error as ConformanceError,
  type ConformancePayload,
  type ConformancePayload_RequestInfo,
  ConformancePayload_RequestInfoSchema,
  ConformancePayloadSchema,
  type ConformanceService,
  type Header,
  HeaderSchema,
  IdempotentUnaryRequestSchema,
  ServerStreamRequestSchema,
  type StreamResponseDefinition,
  UnaryRequestSchema,
  type UnaryResponseDefinition,
} from "./gen/connectrpc/conformance/v1/service_pb.js";

/**
 * The requests the service echoes in `google.protobuf.Any` fields: the JSON codec needs their
 * descriptors to write such an `Any` as JSON.
 */
export const echoedRequestRegistry: Registry = createRegistry(
  UnaryRequestSchema,
  ServerStreamRequestSchema,
  ClientStreamRequestSchema,
  BidiStreamRequestSchema,
  IdempotentUnaryRequestSchema,
);

/**
 * The suite's `ConformanceService`, as its reference client expects a server to answer (see
 * docs/testing_servers.md of connectrpc/conformance): each request says which headers,
 * trailers, payloads, delays and error to answer with, and every answer echoes what the
 * server saw (request headers, deadline, request messages). `Unimplemented` is left out on
 * purpose: the framework must answer it with UNIMPLEMENTED. Ported from connect-es's own
 * conformance server (packages/connect-conformance/src/routes.ts).
 */
export function createConformanceService(): Partial<ServiceImpl<typeof ConformanceService>> {
  return {
    unary(request, context) {
      const echoed = [anyPack(UnaryRequestSchema, request)];
      return answerUnary(request.responseDefinition, echoed, context);
    },
    idempotentUnary(request, context) {
      const echoed = [anyPack(IdempotentUnaryRequestSchema, request)];
      return answerUnary(request.responseDefinition, echoed, context);
    },
    async clientStream(requests, context) {
      let definition: UnaryResponseDefinition | undefined;
      const echoed: Any[] = [];
      for await (const request of requests) {
        // Only the first request carries the definition; later ones are ignored.
        if (echoed.length === 0) definition = request.responseDefinition;
        echoed.push(anyPack(ClientStreamRequestSchema, request));
      }
      return answerUnary(definition, echoed, context);
    },
    async *serverStream(request, context) {
      const definition = request.responseDefinition;
      setResponseMetadata(context, definition);
      const echoed = [anyPack(ServerStreamRequestSchema, request)];
      for (const [index, data] of (definition?.responseData ?? []).entries()) {
        await sleep(definition?.responseDelayMs ?? 0);
        // Only the first response echoes the request.
        const requestInfo = index === 0 ? requestInfoOf(context, echoed) : undefined;
        yield { payload: payloadOf(requestInfo, data) };
      }
      if (definition?.error !== undefined) {
        const requestInfo =
          definition.responseData.length === 0 ? requestInfoOf(context, echoed) : undefined;
        throw toConnectError(definition.error, requestInfo);
      }
    },
    async *bidiStream(requests, context) {
      let definition: StreamResponseDefinition | undefined;
      let fullDuplex = false;
      let received = 0;
      let sent = 0;
      let echoed: Any[] = [];
      for await (const request of requests) {
        // Only the first request carries the definition; later ones are ignored.
        if (received++ === 0) {
          definition = request.responseDefinition;
          setResponseMetadata(context, definition);
          fullDuplex = request.fullDuplex;
        }
        echoed.push(anyPack(BidiStreamRequestSchema, request));
        if (!fullDuplex) continue;
        // Full duplex: one response per request, echoing the requests read since the last one.
        if (definition === undefined || sent >= definition.responseData.length) break;
        await sleep(definition.responseDelayMs);
        yield { payload: payloadOf(requestInfoOf(context, echoed), definition.responseData[sent]) };
        sent++;
        echoed = [];
      }
      // Half duplex sends every response now; full duplex those the requests did not use up.
      const requestInfo = requestInfoOf(context, echoed);
      const responseData = definition?.responseData ?? [];
      for (; sent < responseData.length; sent++) {
        await sleep(definition?.responseDelayMs ?? 0);
        yield { payload: payloadOf(sent === 0 ? requestInfo : undefined, responseData[sent]) };
      }
      if (definition?.error !== undefined) {
        const errorInfo = responseData.length === 0 ? requestInfo : undefined;
        throw toConnectError(definition.error, errorInfo);
      }
    },
  };
}

/** Answers a unary or client-stream call: the defined error, or a payload after the delay. */
async function answerUnary(
  definition: UnaryResponseDefinition | undefined,
  echoed: Any[],
  context: HandlerContext,
): Promise<{ payload: ConformancePayload }> {
  setResponseMetadata(context, definition);
  const requestInfo = requestInfoOf(context, echoed);
  if (definition?.response.case === "error") {
    throw toConnectError(definition.response.value, requestInfo);
  }
  await sleep(definition?.responseDelayMs ?? 0);
  return { payload: payloadOf(requestInfo, definition?.response.value) };
}

function setResponseMetadata(
  context: HandlerContext,
  definition: UnaryResponseDefinition | StreamResponseDefinition | undefined,
): void {
  appendHeaders(context.responseHeader, definition?.responseHeaders ?? []);
  appendHeaders(context.responseTrailer, definition?.responseTrailers ?? []);
}

/** What the server saw of the call: its headers, its deadline and the given requests. */
function requestInfoOf(context: HandlerContext, requests: Any[]): ConformancePayload_RequestInfo {
  const timeoutMs = context.timeoutMs();
  return create(ConformancePayload_RequestInfoSchema, {
    requestHeaders: toProtoHeaders(context.requestHeader),
    requests,
    timeoutMs: timeoutMs === undefined ? undefined : BigInt(timeoutMs),
  });
}

function payloadOf(
  requestInfo: ConformancePayload_RequestInfo | undefined,
  data: Uint8Array | undefined,
): ConformancePayload {
  return create(ConformancePayloadSchema, { requestInfo, data });
}

/**
 * The error a request defines, with the request info as a last detail when given. The suite's
 * codes are Connect's codes, by number. The details stay the `Any` messages they are: connect-es
 * writes a detail given as type name and bytes as is.
 */
function toConnectError(
  error: ConformanceError,
  requestInfo: ConformancePayload_RequestInfo | undefined,
): ConnectError {
  const connectError = new ConnectError(error.message ?? "", error.code as number as Code);
  const details = [...error.details];
  if (requestInfo !== undefined) {
    details.push(anyPack(ConformancePayload_RequestInfoSchema, requestInfo));
  }
  connectError.details = details.map((detail) => ({
    type: detail.typeUrl.slice(detail.typeUrl.lastIndexOf("/") + 1),
    value: detail.value,
  }));
  return connectError;
}

function toProtoHeaders(headers: Headers): Header[] {
  const result: Header[] = [];
  headers.forEach((value, name) => {
    result.push(create(HeaderSchema, { name, value: [value] }));
  });
  return result;
}

function appendHeaders(headers: Headers, protoHeaders: readonly Header[]): void {
  for (const header of protoHeaders) {
    for (const value of header.value) headers.append(header.name, value);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
