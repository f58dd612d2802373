import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import type { ChatCallOptions } from "../../../src/providers/chat-provider.js";
import {
  createUpstreamPool,
  type UpstreamPool,
} from "../../../src/providers/http/upstream-pool.js";

/** A local HTTP server answering each request with `respond`, and a one-connection pool to it. */
export interface SseTestUpstream {
  readonly pool: UpstreamPool;
  /** TCP connections the server accepted so far: a reused keep-alive connection adds none. */
  connections(): number;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 port 0. */
export async function startSseTestUpstream(
  respond: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<SseTestUpstream> {
  let connections = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => respond(request, response));
  });
  server.on("connection", () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const pool = createUpstreamPool({
    providerName: "test",
    origin: `http://127.0.0.1:${port}`,
    maxConnections: 1,
  });
  return {
    pool,
    connections: () => connections,
    async close() {
      await pool.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Call options of a test request. */
export function callOptions(signal: AbortSignal = new AbortController().signal): ChatCallOptions {
  return { model: "m", signal, log: pino({ level: "silent" }), headersTimeoutMs: 5000 };
}

/** A request to post. */
export const REQUEST = {
  path: "/stream",
  headers: { "content-type": "application/json" },
  body: "{}",
};
