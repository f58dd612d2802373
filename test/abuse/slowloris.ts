import * as net from "node:net";
import { within } from "./within.js";

/** Options of `slowloris`. */
export interface SlowlorisOptions {
  readonly port: number;
  /** Loopback source addresses, used round-robin. */
  readonly sourceAddresses: readonly string[];
  readonly connections: number;
  /** "headers": a request head that never ends; "body": a POST whose body never completes. */
  readonly kind: "headers" | "body";
  /** Time between two bytes, in milliseconds. */
  readonly byteIntervalMs: number;
  /** How long after connecting a connection may stay open before it counts as still open. */
  readonly waitMs: number;
}

/** What the server did to one slow connection. */
export interface SlowConnection {
  /** Milliseconds from connect to close; undefined when still open after `waitMs`. */
  readonly closedAfterMs: number | undefined;
  /** Status lines the server sent (e.g. ["408"]). */
  readonly statuses: readonly string[];
  readonly bytesSent: number;
  /** Why it could not connect, if so. */
  readonly error?: string;
}

/**
 * Slowloris over HTTP/1.1: each connection sends the start of a request at once, then one byte
 * every `byteIntervalMs` forever: of a header line that never ends ("headers") or of a
 * 1,000-byte body ("body"). Resolves with what each connection got.
 */
export async function slowloris(options: SlowlorisOptions): Promise<SlowConnection[]> {
  const head =
    options.kind === "headers"
      ? "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
      : "POST /switchboard.v1.PromptService/Prompt HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" +
        '{"prompt":"';
  const slowOne = (index: number): Promise<SlowConnection> =>
    new Promise((resolve) => {
      const socket = net.connect({
        port: options.port,
        host: "127.0.0.1",
        localAddress: options.sourceAddresses[index % options.sourceAddresses.length],
      });
      let received = "";
      let connectedAt: number | undefined;
      let bytesSent = 0;
      let error: string | undefined;
      let timer: NodeJS.Timeout | undefined;
      let closedAfterMs: number | undefined;
      socket.setEncoding("latin1");
      socket.on("data", (chunk: string) => {
        received += chunk;
      });
      socket.on("error", (e) => {
        error ??= e.message;
      });
      socket.once("connect", () => {
        connectedAt = performance.now();
        socket.write(head);
        bytesSent = head.length;
        timer = setInterval(() => {
          socket.write("a");
          bytesSent++;
        }, options.byteIntervalMs);
      });
      const closed = new Promise<void>((done) =>
        socket.once("close", () => {
          clearInterval(timer);
          if (connectedAt !== undefined) closedAfterMs = performance.now() - connectedAt;
          done();
        }),
      );
      void within(closed, options.waitMs).then(async (outcome) => {
        if (typeof outcome === "symbol") {
          socket.destroy();
          await closed;
          closedAfterMs = undefined;
        }
        resolve({
          closedAfterMs,
          statuses: [...received.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => m[1]!),
          bytesSent,
          ...(error === undefined || connectedAt !== undefined ? {} : { error }),
        });
      });
    });
  return Promise.all(Array.from({ length: options.connections }, (_, i) => slowOne(i)));
}
