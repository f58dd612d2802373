import { Code } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import {
  codeFromHttpStatus,
  codeFromString,
  codeToHttpStatus,
  codeToString,
} from "@connectrpc/connect/protocol-connect";
import { trailerParse, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";
import { isClientCausedInternal } from "./client-caused-errors.js";

/** Reports the code of an RPC that the protocol layer answered before any interceptor ran. */
export type ProtocolRejectionListener = (code: Code, contextValues: unknown) => void;

/** The gRPC-Web flag of a trailer frame. */
const grpcWebTrailerFlag = 0x80;

/**
 * Wraps every unary handler of `handlers` (connect-es's router list, modified in place) so that
 * what the protocol layer refuses before any interceptor runs still gets a correct code and is
 * reported:
 * - connect-es answers a unary request message that is not valid protobuf with INTERNAL
 *   ("parse binary: …") over gRPC, gRPC-Web and Connect binary, while the same mistake in JSON
 *   is INVALID_ARGUMENT; see `isClientCausedInternal`. Such an answer becomes INVALID_ARGUMENT.
 *   Streaming methods read their request inside the interceptors, where `toConnectError` does
 *   the same.
 * - `onRejected` hears the final code of such a response, for the RPC's log line.
 * Nothing is done for a response whose `handled(contextValues)` says an interceptor ran: the
 * path of every answered RPC pays one call.
 */
export function reportProtocolRejections(
  handlers: UniversalHandler[],
  handled: (contextValues: unknown) => boolean,
  onRejected: ProtocolRejectionListener,
): void {
  for (const [index, inner] of handlers.entries()) {
    if (inner.method.methodKind !== "unary") continue;
    const wrapped: UniversalHandler = Object.assign(
      async (request: Parameters<UniversalHandler>[0]) => {
        const response = await inner(request);
        if (handled(request.contextValues)) return response;
        const contentType = request.header.get("content-type") ?? "";
        const fixed = await fixRejection(response, contentType);
        onRejected(fixed.code, request.contextValues);
        return fixed.response;
      },
      inner,
    );
    handlers[index] = wrapped;
  }
}

interface FixedRejection {
  readonly response: UniversalServerResponse;
  readonly code: Code;
}

async function fixRejection(
  response: UniversalServerResponse,
  contentType: string,
): Promise<FixedRejection> {
  if (contentType.startsWith("application/grpc-web")) return fixGrpcWeb(response);
  if (contentType.startsWith("application/grpc")) return fixGrpc(response);
  return fixConnectUnary(response);
}

function fixGrpc(response: UniversalServerResponse): FixedRejection {
  const trailer = response.trailer;
  const status = Number(trailer?.get("grpc-status") ?? Number.NaN);
  if (trailer === undefined || Number.isNaN(status)) {
    return { response, code: codeFromHttpStatus(response.status) };
  }
  if (isClientCausedInternal(status, grpcMessageText(trailer.get("grpc-message")))) {
    trailer.set("grpc-status", String(Code.InvalidArgument));
    return { response, code: Code.InvalidArgument };
  }
  return { response, code: status as Code };
}

async function fixGrpcWeb(response: UniversalServerResponse): Promise<FixedRejection> {
  const chunks = await readBody(response);
  const last = chunks.at(-1);
  if (last === undefined || last.byteLength < 5 || (last[0] ?? 0) !== grpcWebTrailerFlag) {
    return { response: withBody(response, chunks), code: codeFromHttpStatus(response.status) };
  }
  const trailer = trailerParse(last.subarray(5));
  const status = Number(trailer.get("grpc-status") ?? Number.NaN);
  if (isClientCausedInternal(status, grpcMessageText(trailer.get("grpc-message")))) {
    trailer.set("grpc-status", String(Code.InvalidArgument));
    const body = trailerSerialize(trailer);
    const frame = new Uint8Array(5 + body.byteLength);
    frame[0] = grpcWebTrailerFlag;
    new DataView(frame.buffer).setUint32(1, body.byteLength);
    frame.set(body, 5);
    chunks[chunks.length - 1] = frame;
    return { response: withBody(response, chunks), code: Code.InvalidArgument };
  }
  return {
    response: withBody(response, chunks),
    code: Number.isNaN(status) ? codeFromHttpStatus(response.status) : (status as Code),
  };
}

async function fixConnectUnary(response: UniversalServerResponse): Promise<FixedRejection> {
  const chunks = await readBody(response);
  const compressed = response.header?.has("content-encoding") ?? false;
  let error: { code?: unknown; message?: unknown } | undefined;
  if (!compressed && response.status !== 200) {
    try {
      error = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof error;
    } catch {
      error = undefined;
    }
  }
  const code =
    typeof error?.code === "string"
      ? (codeFromString(error.code) ?? codeFromHttpStatus(response.status))
      : codeFromHttpStatus(response.status);
  const message = typeof error?.message === "string" ? error.message : "";
  if (error === undefined || !isClientCausedInternal(code, message)) {
    return { response: withBody(response, chunks), code };
  }
  const body = Buffer.from(JSON.stringify({ ...error, code: codeToString(Code.InvalidArgument) }));
  response.header?.set("content-length", String(body.byteLength));
  return {
    response: {
      ...withBody(response, [body]),
      status: codeToHttpStatus(Code.InvalidArgument),
    },
    code: Code.InvalidArgument,
  };
}

/** The text of a percent-encoded `grpc-message`. */
function grpcMessageText(encoded: string | null): string {
  if (encoded === null) return "";
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

async function readBody(response: UniversalServerResponse): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const body = response.body;
  if (body === undefined) return chunks;
  for await (const chunk of body) chunks.push(chunk);
  return chunks;
}

function withBody(
  response: UniversalServerResponse,
  chunks: Uint8Array[],
): UniversalServerResponse {
  return {
    ...response,
    body: (async function* () {
      yield* chunks;
    })(),
  };
}
