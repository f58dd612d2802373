import { connect, createServer, type Socket } from "node:net";

/** A TCP proxy in front of the gateway that breaks its first connections part-way. */
export interface CuttingProxy {
  /** "http://127.0.0.1:<port>": the client's `baseUrl`. */
  readonly url: string;
  /** Connections destroyed so far. */
  readonly cuts: () => number;
  /** Closes the listener and every open socket. */
  close(): Promise<void>;
}

/** What to cut. */
export interface CuttingProxyOptions {
  /** Where to forward, as `host:port`. */
  readonly target: { readonly host: string; readonly port: number };
  /** Destroy a connection once this many response bytes have passed through it. */
  readonly cutAfterBytes: number;
  /** How many connections to cut (the first ones); later ones pass through untouched. */
  readonly connectionsToCut: number;
}

/** Starts the proxy on 127.0.0.1, port 0. */
export async function startCuttingProxy(options: CuttingProxyOptions): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let cuts = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  };
  const server = createServer((downstream) => {
    const toCut = connections < options.connectionsToCut;
    connections += 1;
    const upstream = connect(options.target.port, options.target.host);
    track(downstream);
    track(upstream);
    let bytes = 0;
    downstream.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      if (!toCut) return void downstream.write(chunk);
      const room = options.cutAfterBytes - bytes;
      bytes += chunk.length;
      if (room > 0) downstream.write(chunk.subarray(0, room));
      if (bytes >= options.cutAfterBytes && !downstream.destroyed) {
        cuts += 1;
        // A reset, as a dropped network would look: no orderly end of the HTTP body.
        downstream.resetAndDestroy();
        upstream.destroy();
      }
    });
    upstream.on("end", () => downstream.end());
    downstream.on("close", () => upstream.destroy());
    upstream.on("close", () => downstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    cuts: () => cuts,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
