import * as http from "node:http";
import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { envelope } from "./h2-frames.js";

/** Options of `gzipBombs`. */
export interface GzipBombsOptions {
  readonly port: number;
  /** Loopback source addresses, used round-robin, one connection per request. */
  readonly sourceAddresses: readonly string[];
  readonly requests: number;
  /** Size of the JSON body once inflated. */
  readonly inflatedBytes: number;
  /** How long a request may wait for its answer. */
  readonly timeoutMs: number;
}

/** What the gzip bombs got back. */
export interface GzipBombsResult {
  readonly compressedBytes: number;
  /** Answers by "HTTP status + Connect code", e.g. {"429 resource_exhausted": 2000}. */
  readonly answers: Record<string, number>;
  /** Requests that got no answer, by reason. */
  readonly unanswered: Record<string, number>;
  readonly slowestMs: number;
}

/** `{"prompt":"aaaa…"}` of `inflatedBytes` bytes, gzipped (about 1 KB per MiB). */
export function gzippedPromptJson(inflatedBytes: number): Buffer {
  const padding = "a".repeat(inflatedBytes - '{"prompt":""}'.length);
  return gzipSync(Buffer.from(`{"prompt":"${padding}"}`, "latin1"), { level: 9 });
}

/**
 * Sends `requests` Connect JSON `Prompt` calls at once, each on its own HTTP/1.1 connection with
 * `content-encoding: gzip` and a small body that inflates to `inflatedBytes`, and tallies the
 * answers.
 */
export async function gzipBombs(options: GzipBombsOptions): Promise<GzipBombsResult> {
  const body = gzippedPromptJson(options.inflatedBytes);
  const answers: Record<string, number> = {};
  const unanswered: Record<string, number> = {};
  let slowestMs = 0;
  const send = (index: number): Promise<void> =>
    new Promise((resolve) => {
      const started = performance.now();
      const request = http.request({
        host: "127.0.0.1",
        port: options.port,
        method: "POST",
        path: "/switchboard.v1.PromptService/Prompt",
        headers: {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": body.length,
        },
        agent: false,
        localAddress: options.sourceAddresses[index % options.sourceAddresses.length],
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      request.on("error", (error: NodeJS.ErrnoException) => {
        const reason = error.code ?? error.message;
        unanswered[reason] = (unanswered[reason] ?? 0) + 1;
        resolve();
      });
      request.on("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          slowestMs = Math.max(slowestMs, performance.now() - started);
          const key = `${response.statusCode} ${connectCodeOf(Buffer.concat(chunks))}`;
          answers[key] = (answers[key] ?? 0) + 1;
          resolve();
        });
      });
      request.end(body);
    });
  await Promise.all(Array.from({ length: options.requests }, (_, i) => send(i)));
  return { compressedBytes: body.length, answers, unanswered, slowestMs };
}

/** The `code` of a Connect JSON error body, "(no code)" for anything else. */
function connectCodeOf(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { code?: unknown };
    return typeof parsed.code === "string" ? parsed.code : "(no code)";
  } catch {
    return "(not JSON)";
  }
}

/**
 * The same bomb through gRPC: `streams` `Prompt` calls on one HTTP/2 connection with
 * `grpc-encoding: gzip` and a compressed envelope whose `PromptRequest.prompt` inflates to
 * `inflatedBytes`. Resolves with each call's grpc-status (undefined when the stream was reset).
 */
export async function grpcGzipBombs(options: {
  readonly port: number;
  readonly streams: number;
  readonly inflatedBytes: number;
}): Promise<(string | undefined)[]> {
  const prompt = Buffer.alloc(options.inflatedBytes, "a");
  const length = varint(prompt.length);
  const message = Buffer.concat([Buffer.from([0x0a]), length, prompt]);
  const body = envelope(gzipSync(message, { level: 9 }), 0x01);
  const session = http2.connect(`http://127.0.0.1:${options.port}`);
  session.on("error", () => {});
  try {
    return await Promise.all(
      Array.from(
        { length: options.streams },
        () =>
          new Promise<string | undefined>((resolve) => {
            const stream = session.request({
              ":method": "POST",
              ":path": "/switchboard.v1.PromptService/Prompt",
              "content-type": "application/grpc",
              "grpc-encoding": "gzip",
              te: "trailers",
            });
            let status: string | undefined;
            const take = (headers: http2.IncomingHttpHeaders): void => {
              const value = headers["grpc-status"];
              if (typeof value === "string") status = value;
            };
            stream.on("response", take);
            stream.on("trailers", take);
            stream.on("error", () => {});
            stream.on("close", () => resolve(status));
            stream.resume();
            stream.end(body);
          }),
      ),
    );
  } finally {
    session.close();
  }
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
