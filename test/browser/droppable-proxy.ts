import { connect, createServer, type Socket } from "node:net";

/** A TCP proxy in front of the gateway whose connections the test can drop at any moment. */
export interface DroppableProxy {
  /** "http://127.0.0.1:<port>": where the browser opens the page. */
  readonly url: string;
  /**
   * Resets every open connection, as a network drop would look to the browser: no orderly end
   * of the HTTP body. New connections pass through as before. Returns how many were dropped.
   */
  dropConnections(): number;
  /** Closes the listener and every open socket. */
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1, port 0, forwarding to `target`. */
export async function startDroppableProxy(target: {
  readonly host: string;
  readonly port: number;
}): Promise<DroppableProxy> {
  const pairs = new Set<{ readonly downstream: Socket; readonly upstream: Socket }>();
  const server = createServer((downstream) => {
    const upstream = connect(target.port, target.host);
    const pair = { downstream, upstream };
    pairs.add(pair);
    for (const socket of [downstream, upstream]) {
      socket.on("error", () => undefined);
      socket.on("close", () => {
        pairs.delete(pair);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    dropConnections() {
      const dropped = pairs.size;
      for (const { downstream, upstream } of pairs) {
        downstream.resetAndDestroy();
        upstream.destroy();
      }
      return dropped;
    },
    async close() {
      for (const { downstream, upstream } of pairs) {
        downstream.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
