import * as net from "node:net";
import { within } from "./within.js";

/** What the server wrote back on one raw HTTP/1.1 connection. */
export interface RawExchange {
  /** The status code of every response on the connection, in order. */
  readonly statuses: readonly number[];
  /** Everything received, as latin1 text. */
  readonly received: string;
  /** True when the server closed the connection within `waitMs`. */
  readonly closedByServer: boolean;
}

/**
 * Writes `request` (raw bytes, in one write) on a new connection and reads until the server
 * closes it, or `waitMs` has passed. Every "HTTP/1.x NNN " status line counts as a response (a body may end right before the next).
 */
export async function exchangeRaw(
  port: number,
  request: string | Buffer,
  options: { readonly waitMs: number; readonly localAddress?: string },
): Promise<RawExchange> {
  const socket = net.connect({ port, host: "127.0.0.1", localAddress: options.localAddress });
  let received = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    received += chunk;
  });
  // A reset after a 400 is the server closing too.
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.write(request);
  const outcome = await within(closed, options.waitMs);
  socket.destroy();
  await closed;
  return {
    statuses: [...received.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1])),
    received,
    closedByServer: typeof outcome !== "symbol",
  };
}
