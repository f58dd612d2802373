import { openRawH2, statusOfHeaderBlock } from "./h2-connection.js";
import { encodeHeaderBlock, FrameType, headersFrames } from "./h2-frames.js";
import { exchangeRaw, type RawExchange } from "./raw-http1.js";
import { within } from "./within.js";

/** Oversized header lists, each sent on `GET /healthz`. */
export const headerCases: { name: string; headers: [string, string][] }[] = [
  { name: "a 60 KB header value", headers: [["x-big", "v".repeat(60 * 1024)]] },
  {
    name: "1,000 headers",
    headers: Array.from({ length: 1_000 }, (_, i): [string, string] => [`x-h${i}`, `value-${i}`]),
  },
  {
    name: "a 200 KB header list",
    headers: Array.from({ length: 4 }, (_, i): [string, string] => [
      `x-big${i}`,
      "w".repeat(50 * 1024),
    ]),
  },
];

/** `GET /healthz` over HTTP/1.1 with `headers`, on a new connection; what came back within `waitMs`. */
export function sendH1Headers(
  port: number,
  headers: readonly [string, string][],
  options: { readonly waitMs: number; readonly localAddress?: string },
): Promise<RawExchange> {
  const head = headers.map(([key, value]) => `${key}: ${value}\r\n`).join("");
  return exchangeRaw(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${head}\r\n`, options);
}

/** How an HTTP/2 `GET /healthz` with `headers` ended, e.g. "status 431", "stream reset 11". */
export async function sendH2Headers(
  port: number,
  headers: readonly [string, string][],
  localAddress?: string,
): Promise<string> {
  const connection = await openRawH2({ port, localAddress });
  const streamId = connection.nextStreamId();
  const outcome = new Promise<string>((resolve) => {
    connection.onFrame((frame) => {
      if (frame.type === FrameType.HEADERS && frame.streamId === streamId) {
        resolve(`status ${statusOfHeaderBlock(frame.payload)}`);
      }
      if (frame.type === FrameType.RST_STREAM && frame.streamId === streamId) {
        resolve(`stream reset ${frame.payload.readUInt32BE(0)}`);
      }
      if (frame.type === FrameType.GOAWAY) resolve(`GOAWAY ${frame.payload.readUInt32BE(4)}`);
    });
    void connection.closed.then(() => resolve("connection closed"));
  });
  const block = encodeHeaderBlock([
    [":method", "GET"],
    [":scheme", "http"],
    [":path", "/healthz"],
    [":authority", `127.0.0.1:${port}`],
    ...headers,
  ]);
  connection.socket.write(headersFrames(streamId, block, { endStream: true }));
  const result = await within(outcome, 5_000);
  connection.socket.destroy();
  await connection.closed;
  return typeof result === "symbol" ? "no answer within 5 s" : result;
}

/** What one oversized header case got, over each protocol. */
export interface HeaderAbuseOutcome {
  readonly name: string;
  /** HTTP/1.1: the statuses of the responses, and whether the server closed the connection. */
  readonly h1: { readonly statuses: readonly number[]; readonly closedByServer: boolean };
  /** HTTP/2: how the stream ended (see `sendH2Headers`). */
  readonly h2: string;
}

/**
 * Sends every case of `headerCases` at once, each over HTTP/1.1 and over HTTP/2 on its own
 * connection from `localAddress`, as header-abuse.test.ts does one by one.
 */
export async function headerAbuse(options: {
  readonly port: number;
  readonly localAddress?: string;
  readonly waitMs: number;
}): Promise<HeaderAbuseOutcome[]> {
  return Promise.all(
    headerCases.map(async ({ name, headers }) => {
      const [h1, h2] = await Promise.all([
        sendH1Headers(options.port, headers, options),
        sendH2Headers(options.port, headers, options.localAddress),
      ]);
      return { name, h1: { statuses: h1.statuses, closedByServer: h1.closedByServer }, h2 };
    }),
  );
}
