import { Code } from "@connectrpc/connect";
import { codeFromString, codeToHttpStatus } from "@connectrpc/connect/protocol-connect";
import type { FuzzCase } from "./fuzz-cases.js";

/** A response as received, whatever the protocol. */
export interface FuzzResponse {
  /** Undefined when no response arrived (`error` says why). */
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly trailers: Readonly<Record<string, string | string[] | undefined>>;
  readonly error?: string;
}

/** How one response reads: a short outcome to tally, and what is wrong with it, if anything. */
export interface Verdict {
  /** E.g. "connect 400 invalid_argument", "grpc 3", "grpc-web 0". */
  readonly outcome: string;
  /** Undefined for a well-formed answer that is not `internal`/`unknown` (see `judge`). */
  readonly problem?: string;
}

/**
 * Checks that `response` is a well-formed answer of `fuzzCase`'s protocol (Connect: a status and
 * a JSON error whose code matches it, or a stream of envelopes ending in an end-stream message;
 * gRPC: a grpc-status in the trailers; gRPC-Web: a grpc-status in the headers or a trailer
 * frame) and that its code is neither `internal` nor `unknown`, but for the one INTERNAL the
 * specs require (`isRequiredInternal`).
 */
export function judge(fuzzCase: FuzzCase, response: FuzzResponse): Verdict {
  if (response.status === undefined) {
    return { outcome: "no answer", problem: `no answer: ${response.error}` };
  }
  switch (fuzzCase.protocol) {
    case "connect-unary-json":
    case "connect-unary-proto":
      return judgeConnectUnary(fuzzCase, response);
    case "connect-stream-json":
    case "connect-stream-proto":
      return judgeConnectStream(response);
    case "grpc":
      return judgeGrpc(response);
    case "grpc-web":
      return judgeGrpcWeb(response);
  }
}

function header(headers: FuzzResponse["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function judgeConnectUnary(fuzzCase: FuzzCase, response: FuzzResponse): Verdict {
  const contentType = header(response.headers, "content-type") ?? "";
  if (response.status === 200) {
    const expected =
      fuzzCase.protocol === "connect-unary-json" ? "application/json" : "application/proto";
    if (!contentType.startsWith(expected)) {
      return { outcome: "connect 200", problem: `200 with content-type "${contentType}"` };
    }
    if (expected === "application/json" && parseJson(response.body) === undefined) {
      return { outcome: "connect 200", problem: "200 with a body that is not JSON" };
    }
    return { outcome: "connect 200 ok" };
  }
  return judgeConnectError(response.status!, contentType, response.body);
}

function judgeConnectError(status: number, contentType: string, body: Buffer): Verdict {
  const parsed = parseJson(body) as { code?: unknown } | undefined;
  const code = typeof parsed?.code === "string" ? parsed.code : undefined;
  const outcome = `connect ${status} ${code ?? "?"}`;
  if (!contentType.startsWith("application/json") || code === undefined) {
    return { outcome, problem: `HTTP ${status} without a Connect JSON error: ${preview(body)}` };
  }
  const known = codeFromString(code);
  if (known === undefined) return { outcome, problem: `unknown Connect code "${code}"` };
  if (codeToHttpStatus(known) !== status) {
    return {
      outcome,
      problem: `code ${code} sent with HTTP ${status}, not ${codeToHttpStatus(known)}`,
    };
  }
  if (known === Code.Internal || known === Code.Unknown) {
    return { outcome, problem: `code ${code}: ${preview(body)}` };
  }
  return { outcome };
}

function judgeConnectStream(response: FuzzResponse): Verdict {
  const contentType = header(response.headers, "content-type") ?? "";
  if (response.status !== 200)
    return judgeConnectError(response.status!, contentType, response.body);
  if (!contentType.startsWith("application/connect+")) {
    return { outcome: "connect-stream 200", problem: `content-type "${contentType}"` };
  }
  const frames = splitEnvelopes(response.body);
  if (typeof frames === "string") return { outcome: "connect-stream 200", problem: frames };
  const last = frames.at(-1);
  if (last === undefined || (last.flags & 0x02) === 0) {
    return { outcome: "connect-stream 200", problem: "the stream has no end-stream message" };
  }
  if (frames.slice(0, -1).some((frame) => frame.flags & 0x02)) {
    return { outcome: "connect-stream 200", problem: "an end-stream message before the last" };
  }
  const end = parseJson(last.data) as { error?: { code?: unknown; message?: unknown } } | undefined;
  if (end === undefined) {
    return { outcome: "connect-stream 200", problem: "end-stream message is not JSON" };
  }
  const code = end.error === undefined ? "ok" : end.error.code;
  const outcome = `connect-stream ${String(code)}`;
  if (typeof code !== "string" || (code !== "ok" && codeFromString(code) === undefined)) {
    return { outcome, problem: `end-stream error without a known code: ${preview(last.data)}` };
  }
  const message = typeof end.error?.message === "string" ? end.error.message : "";
  if (code === "unknown" || (code === "internal" && !isRequiredInternal(message))) {
    return { outcome, problem: `code ${code}: ${preview(last.data)}` };
  }
  return { outcome };
}

function judgeGrpc(response: FuzzResponse): Verdict {
  const status =
    header(response.trailers, "grpc-status") ?? header(response.headers, "grpc-status");
  const outcome = `grpc ${status ?? "?"}`;
  if (response.status !== 200) return { outcome, problem: `HTTP ${response.status}` };
  if (!(header(response.headers, "content-type") ?? "").startsWith("application/grpc")) {
    return { outcome, problem: `content-type "${header(response.headers, "content-type")}"` };
  }
  const frames = splitEnvelopes(response.body);
  if (typeof frames === "string") return { outcome, problem: frames };
  return judgeGrpcStatus(
    outcome,
    status,
    header(response.trailers, "grpc-message") ?? header(response.headers, "grpc-message"),
  );
}

function judgeGrpcWeb(response: FuzzResponse): Verdict {
  if (response.status !== 200) return { outcome: "grpc-web ?", problem: `HTTP ${response.status}` };
  const inHeaders = header(response.headers, "grpc-status");
  const frames = splitEnvelopes(response.body);
  if (typeof frames === "string") return { outcome: "grpc-web ?", problem: frames };
  if (inHeaders !== undefined) {
    // Trailers-only: the status is in the headers and the body is empty.
    const outcome = `grpc-web ${inHeaders}`;
    if (frames.length > 0) return { outcome, problem: "trailers-only response with a body" };
    return judgeGrpcStatus(outcome, inHeaders, header(response.headers, "grpc-message"));
  }
  const last = frames.at(-1);
  if (last === undefined || (last.flags & 0x80) === 0) {
    return {
      outcome: "grpc-web ?",
      problem: "no grpc-status: neither in headers nor in a trailer frame",
    };
  }
  const trailer = last.data.toString("latin1");
  const status = /^grpc-status:\s*(\S+)/im.exec(trailer)?.[1];
  return judgeGrpcStatus(
    `grpc-web ${status ?? "?"}`,
    status,
    /^grpc-message:\s*(.*)$/im.exec(trailer)?.[1],
  );
}

function judgeGrpcStatus(
  outcome: string,
  status: string | undefined,
  message: string | undefined,
): Verdict {
  if (status === undefined || !/^\d+$/.test(status) || Number(status) > 16) {
    return { outcome, problem: `grpc-status "${status}"` };
  }
  const text = decodeURIComponent(message ?? "");
  if (status === "2" || (status === "13" && !isRequiredInternal(text))) {
    return { outcome, problem: `grpc-status ${status}: ${text}` };
  }
  return { outcome };
}

/**
 * Whether an INTERNAL with this message is the answer the specs require: an envelope flagged as
 * compressed in a call that named no compression MUST fail with INTERNAL (gRPC's
 * doc/compression.md; the Connect conformance suite asks the same of Connect and gRPC-Web).
 */
function isRequiredInternal(message: string): boolean {
  return message.startsWith("received compressed envelope, but do not know how to decompress");
}

/** Splits a body into complete envelopes; a description of the problem when it does not split. */
function splitEnvelopes(body: Buffer): { flags: number; data: Buffer }[] | string {
  const frames: { flags: number; data: Buffer }[] = [];
  let offset = 0;
  while (offset < body.length) {
    if (body.length - offset < 5)
      return `${body.length - offset} stray bytes after the last envelope`;
    const length = body.readUInt32BE(offset + 1);
    if (body.length - offset - 5 < length) return "an envelope cut short";
    frames.push({ flags: body[offset]!, data: body.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  return frames;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
}

function preview(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
