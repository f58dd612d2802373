import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { TLSSocket } from "node:tls";
import type { Logger } from "pino";
import type { ServerConfig } from "../config/gateway-config.js";
import { createAbuseLog } from "./abuse-log.js";
import { createAbusiveClients } from "./abusive-clients.js";
import { createConnectionGate } from "./connection-gate.js";
import type { HttpHandler, HttpRequest, HttpResponse } from "./http-handler.js";
import { createRequestBodyDeadline } from "./request-body-deadline.js";
import { sniffProtocol } from "./sniff-protocol.js";
import { createStreamResetBudget } from "./stream-reset-budget.js";

/** Connections closed for exceeding their reset budget within `offenceWindowMs` that block their client. */
const offencesToBlockClient = 3;
/** How long such a closed connection counts against its client, in milliseconds. */
const offenceWindowMs = 60_000;

/** How often the abuse log writes its aggregated warn line at most, in milliseconds. */
const abuseLogIntervalMs = 10_000;

/** Options of `createOnePortListener`. */
export interface OnePortListenerOptions {
  /** Serves every request, HTTP/1.1 and HTTP/2 alike. */
  readonly handler: HttpHandler;
  /** PEM certificate chain and private key; when set, the port speaks TLS and ALPN picks h2 or http/1.1. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection. */
  readonly maxConcurrentStreams: number;
  /** A connection that sends nothing for this long (and has no request in progress) is closed, in milliseconds. */
  readonly idleTimeoutMs: number;
  /** Limits on what one client may hold or do. */
  readonly limits: ListenerLimits;
  /** Where errors of the listening socket itself go (accept failures such as EMFILE), and the abuse log. */
  readonly log: Logger;
}

/** What a client may hold or do; see `ServerConfig` for each. */
export type ListenerLimits = Pick<
  ServerConfig,
  | "maxConnections"
  | "maxConnectionsPerClient"
  | "streamResetBurst"
  | "streamResetRatePerSecond"
  | "blockAbusiveClientsMs"
  | "requestBodyTimeoutMs"
  | "headersTimeoutMs"
>;

/** One TCP port serving HTTP/1.1 and HTTP/2 (cleartext h2c, or TLS with ALPN). */
export interface OnePortListener {
  /** Starts accepting connections; resolves with the bound address. */
  listen(port: number, host: string): Promise<net.AddressInfo>;
  /** The bound address, undefined before `listen` resolves. */
  address(): net.AddressInfo | undefined;
  /** Requests whose response has not closed yet. */
  inFlight(): number;
  /**
   * Stops accepting connections, sends GOAWAY to every HTTP/2 connection and closes HTTP/1.1
   * connections once their requests are done. Requests in progress get `graceMs` to finish;
   * then every remaining connection is destroyed. Resolves when all connections are closed.
   * Calling it again returns the same promise.
   */
  close(graceMs: number): Promise<void>;
}

/**
 * Creates the listener behind the gateway's port. Node's cleartext HTTP/2 server cannot fall back
 * to HTTP/1.1, so without TLS a plain `net.Server` reads the first bytes of each connection,
 * decides by the HTTP/2 preface, puts the bytes back and hands the socket to the right server.
 * With TLS, `http2.createSecureServer({ allowHTTP1: true })` decides by ALPN.
 */
export function createOnePortListener(options: OnePortListenerOptions): OnePortListener {
  const { idleTimeoutMs, limits } = options;
  // Node refuses a headersTimeout above requestTimeout.
  const headersTimeoutMs = Math.min(limits.headersTimeoutMs, limits.requestBodyTimeoutMs);
  const abuse = createAbuseLog(options.log, abuseLogIntervalMs);
  const abusiveClients = createAbusiveClients({
    blockMs: limits.blockAbusiveClientsMs,
    offencesToBlock: offencesToBlockClient,
    windowMs: offenceWindowMs,
  });
  const gate = createConnectionGate({ ...limits, abusiveClients, abuse });
  const bodyDeadline = createRequestBodyDeadline(limits.requestBodyTimeoutMs, abuse);
  /** Every accepted TCP socket, so that the end of the grace period can destroy what is left. */
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  /** Requests in progress per HTTP/1.1 connection, so that draining can close the idle ones. */
  const http1Sockets = new Map<net.Socket, number>();
  let inFlight = 0;
  let draining = false;
  let closing: Promise<void> | undefined;

  const serveRequest: HttpHandler = (req, res) => {
    inFlight++;
    const http1Socket = req.httpVersionMajor === 1 ? req.socket : undefined;
    if (http1Socket === undefined) {
      res.once("close", () => inFlight--);
      // A rapid-reset client sends HEADERS, DATA and RST_STREAM in one write; Node emits the
      // request before it has read the reset. One turn of the event loop later the stream is
      // closed, and the request costs nothing more: no handler, no log line, no upstream call.
      setImmediate(dispatchIfOpen, req, res);
      return;
    }
    http1Sockets.set(http1Socket, (http1Sockets.get(http1Socket) ?? 0) + 1);
    if (draining) res.setHeader("connection", "close");
    res.once("close", () => {
      inFlight--;
      const before = http1Sockets.get(http1Socket);
      // Undefined when the connection closed first (the client went away).
      if (before === undefined) return;
      const active = before - 1;
      http1Sockets.set(http1Socket, active);
      // A keep-alive response that started before draining leaves its connection open: close it.
      if (draining && active === 0) http1Socket.end();
    });
    options.handler(req, res);
  };

  const dispatchIfOpen = (req: HttpRequest, res: HttpResponse): void => {
    if ("stream" in req && (req.stream.closed || req.stream.destroyed)) return;
    options.handler(req, res);
  };

  const trackHttp1Socket = (socket: net.Socket): void => {
    http1Sockets.set(socket, 0);
    socket.once("close", () => http1Sockets.delete(socket));
  };

  const trackSession = (session: http2.ServerHttp2Session): void => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    let openStreams = 0;
    const streamClosed = createStreamResetBudget(session, {
      burst: limits.streamResetBurst,
      ratePerSecond: limits.streamResetRatePerSecond,
      abuse,
      onCalmed: gate.offended,
    });
    session.on("stream", (stream: http2.ServerHttp2Stream) => {
      openStreams++;
      stream.once("close", () => {
        openStreams--;
        streamClosed(stream);
      });
      bodyDeadline.watch(stream);
    });
    // Session inactivity counts frames both ways; a stream waiting silently for a slow model is
    // not idle, so only a connection with no open stream is closed.
    session.setTimeout(idleTimeoutMs);
    session.on("timeout", () => {
      if (openStreams === 0) session.close();
    });
    if (draining) session.close();
  };

  const settings: http2.Settings = { maxConcurrentStreams: options.maxConcurrentStreams };
  let front: net.Server;
  let http1Server: http.Server | undefined;
  if (options.tls === undefined) {
    const h2cServer = http2.createServer({ settings }, serveRequest);
    h2cServer.on("session", trackSession);
    const h1Server = http.createServer(
      {
        keepAliveTimeout: idleTimeoutMs,
        headersTimeout: headersTimeoutMs,
        requestTimeout: limits.requestBodyTimeoutMs,
        // How late a timed-out request may be noticed: Node's default is 30 s.
        connectionsCheckingInterval: Math.max(50, Math.min(1_000, headersTimeoutMs / 4)),
      },
      serveRequest,
    );
    http1Server = h1Server;
    // Nagle's algorithm would hold a stream's second small write until the client's delayed ACK
    // (40 ms on Linux): Node's own HTTP servers turn it off; this one hands sockets over itself.
    front = net.createServer({ noDelay: true }, (socket) => {
      if (draining) {
        socket.destroy();
        return;
      }
      if (!gate.admit(socket)) return;
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      sniffProtocol(socket, Math.min(idleTimeoutMs, headersTimeoutMs), (isHttp2) => {
        if (isHttp2) {
          h2cServer.emit("connection", socket);
          return;
        }
        trackHttp1Socket(socket);
        h1Server.emit("connection", socket);
        // The HTTP/1.1 parser reads the unshifted bytes only once the socket flows again.
        socket.resume();
      });
    });
  } else {
    const secureServer = http2.createSecureServer(
      {
        cert: options.tls.cert,
        key: options.tls.key,
        allowHTTP1: true,
        ALPNProtocols: ["h2", "http/1.1"],
        noDelay: true,
        settings,
        // A client that connects and never completes the handshake is a silent socket.
        handshakeTimeout: headersTimeoutMs,
      },
      serveRequest,
    );
    // The HTTP/1.1 fallback reads these from the server; Node leaves keepAliveTimeout unset here.
    Object.assign(secureServer, {
      keepAliveTimeout: idleTimeoutMs,
      headersTimeout: headersTimeoutMs,
      requestTimeout: limits.requestBodyTimeoutMs,
    });
    secureServer.on("session", trackSession);
    secureServer.on("connection", (socket: net.Socket) => {
      if (!gate.admit(socket)) return;
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    secureServer.on("secureConnection", (socket: TLSSocket) => {
      if (socket.alpnProtocol !== "h2") trackHttp1Socket(socket);
    });
    front = secureServer;
  }

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        front.once("error", reject);
        front.listen(port, host, () => {
          front.off("error", reject);
          // Without a listener an accept failure (EMFILE …) would crash the process.
          front.on("error", (error) => options.log.error({ err: error }, "listener error"));
          // Node starts enforcing headersTimeout and requestTimeout for HTTP/1.1 connections when
          // the server emits "listening"; ours never listens itself, it is handed sockets.
          http1Server?.emit("listening");
          resolve(front.address() as net.AddressInfo);
        });
      });
    },
    address() {
      const address = front.address();
      return address !== null && typeof address === "object" ? address : undefined;
    },
    inFlight: () => inFlight,
    close(graceMs) {
      closing ??= new Promise<void>((resolve) => {
        draining = true;
        const deadline = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, graceMs);
        front.close(() => {
          clearTimeout(deadline);
          http1Server?.close();
          bodyDeadline.close();
          abuse.close();
          resolve();
        });
        // GOAWAY: the client opens no new stream; the streams in progress run to their end.
        for (const session of sessions) session.close();
        for (const [socket, active] of http1Sockets) {
          if (active === 0) socket.end();
        }
      });
      return closing;
    },
  };
}
