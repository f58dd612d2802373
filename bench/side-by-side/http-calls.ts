import { Pool } from "undici";
import { BenchCallError } from "../error-code.js";
import type { BenchCall } from "../run-load.js";

/** One kind of HTTP/1.1 call to one gateway, on a keep-alive pool of its own. */
export interface HttpCall {
  readonly call: BenchCall;
  /** Closes the pool's connections. */
  close(): Promise<void>;
}

/** Which request and how its answer is checked. */
export type HttpCallKind =
  | "ai-warp-prompt"
  | "ai-warp-stream"
  | "switchboard-prompt"
  | "switchboard-stream";

const PROMPT_PATH = "/switchboard.v1.PromptService/Prompt";
const STREAM_PROMPT_PATH = "/switchboard.v1.PromptService/StreamPrompt";

/**
 * A call of `kind` to the gateway at `url`, with `prompt`, over a pool of `connections`
 * HTTP/1.1 connections (one call per connection at a time, as a browser or curl would). Every
 * answer is read to its end and checked; a failed one throws a `BenchCallError` whose code is
 * the HTTP status, the Connect code or what was missing.
 */
export function createHttpCall(
  kind: HttpCallKind,
  url: string,
  prompt: string,
  connections: number,
): HttpCall {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const json = JSON.stringify({ prompt });
  const request = {
    "ai-warp-prompt": { path: "/api/v1/prompt", body: json, headers: JSON_HEADERS },
    "ai-warp-stream": { path: "/api/v1/stream", body: json, headers: JSON_HEADERS },
    "switchboard-prompt": { path: PROMPT_PATH, body: json, headers: CONNECT_UNARY_HEADERS },
    "switchboard-stream": {
      path: STREAM_PROMPT_PATH,
      body: connectEnvelope(json),
      headers: CONNECT_STREAM_HEADERS,
    },
  }[kind];
  const check = CHECKS[kind];
  return {
    async call() {
      const response = await pool.request({ ...request, method: "POST" });
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(chunk as Buffer);
      check(response.statusCode, Buffer.concat(chunks));
    },
    close: () => pool.close(),
  };
}

const JSON_HEADERS = { "content-type": "application/json" };
const CONNECT_UNARY_HEADERS = {
  "content-type": "application/json",
  "connect-protocol-version": "1",
};
const CONNECT_STREAM_HEADERS = {
  "content-type": "application/connect+json",
  "connect-protocol-version": "1",
};

/** A Connect streaming request body: one envelope (flags 0, big-endian length) around `json`. */
function connectEnvelope(json: string): Buffer {
  const message = Buffer.from(json);
  const envelope = Buffer.alloc(5 + message.length);
  envelope.writeUInt32BE(message.length, 1);
  message.copy(envelope, 5);
  return envelope;
}

type AnswerCheck = (status: number, body: Buffer) => void;

const CHECKS: Readonly<Record<HttpCallKind, AnswerCheck>> = {
  "ai-warp-prompt": expectJsonText,
  "switchboard-prompt": expectJsonText,
  "ai-warp-stream": expectSseEnd,
  "switchboard-stream": expectConnectCompleted,
};

/** A JSON answer `{"text": "…"}` with status 200; else the error's `code` (both gateways). */
function expectJsonText(status: number, body: Buffer): void {
  const answer = parseObject(body);
  if (status !== 200) {
    throw new BenchCallError(
      typeof answer.code === "string" ? answer.code : `http_${status}`,
      typeof answer.message === "string" ? answer.message : `HTTP ${status}`,
    );
  }
  if (typeof answer.text !== "string" || answer.text === "") {
    throw new BenchCallError("empty_answer", "the answer has no text");
  }
}

/** AI Warp's server-sent events: no `error` event, and an `end` event last. */
function expectSseEnd(status: number, body: Buffer): void {
  if (status !== 200) throw new BenchCallError(`http_${status}`, body.toString().slice(0, 200));
  const text = body.toString();
  const error = text.indexOf("\nevent: error\n");
  if (error >= 0) throw new BenchCallError("sse_error", text.slice(error + 1, error + 200));
  const trimmed = text.trimEnd();
  const lastEvent = trimmed.slice(trimmed.lastIndexOf("\n\n") + 2);
  if (!lastEvent.includes("\nevent: end\n")) {
    throw new BenchCallError("no_end", "the stream ended without its end event");
  }
}

/**
 * Switchboard's Connect stream: an end-of-stream envelope (flag 2) without `error`, after a
 * message whose event is `completed`.
 */
function expectConnectCompleted(status: number, body: Buffer): void {
  if (status !== 200) throw new BenchCallError(`http_${status}`, body.toString().slice(0, 200));
  let lastMessage: Buffer | undefined;
  let endOfStream: Buffer | undefined;
  for (let offset = 0; offset + 5 <= body.length; ) {
    const flags = body[offset]!;
    const end = offset + 5 + body.readUInt32BE(offset + 1);
    const payload = body.subarray(offset + 5, end);
    if ((flags & 0b10) !== 0) endOfStream = payload;
    else lastMessage = payload;
    offset = end;
  }
  if (endOfStream === undefined) {
    throw new BenchCallError("no_end_of_stream", "the stream ended without its end message");
  }
  const { error } = parseObject(endOfStream);
  if (typeof error === "object" && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    throw new BenchCallError(
      typeof code === "string" ? code : "unknown",
      typeof message === "string" ? message : "the stream ended with an error",
    );
  }
  if (lastMessage === undefined || parseObject(lastMessage).completed === undefined) {
    throw new BenchCallError("no_completed", "the stream ended unfinished");
  }
}

function parseObject(bytes: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(bytes.toString());
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
