import { readFileSync } from "node:fs";
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Logger } from "pino";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";
import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection as ServerReflectionV1 } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { file_switchboard_v1_errors } from "../../gen/switchboard/v1/errors_pb.js";
import type { ServerConfig } from "../config/gateway-config.js";
import { createBoundedCompressions } from "./bounded-decompression.js";
import { clampDeadlineHeaders } from "./clamp-deadline.js";
import { createClientCallLimit } from "./client-call-limit.js";
import { createCorsPolicy } from "./cors-policy.js";
import { useMinimalGrpcMessageEncoding } from "./grpc-message-encoding.js";
import { headersTooLarge, maxHeaderBytes, maxHeaderFields } from "./header-limits.js";
import { createHealthService, type HealthState } from "./health-service.js";
import type { HttpHandler, HttpRequest, HttpResponse } from "./http-handler.js";
import { createLeanConnect } from "./lean-connect/create-lean-connect.js";
import { type RegisteredMethod, recordingRouter } from "./lean-connect/recording-router.js";
import { createOnePortListener } from "./one-port-listener.js";
import { loadPlaygroundAssets, type PlaygroundAssets } from "./playground-assets.js";
import { reportProtocolRejections } from "./protocol-rejections.js";
import { createReflectionServices } from "./reflection-service.js";
import { createRpcLog } from "./rpc-log.js";

/** Options of `createGatewayServer`. */
export interface GatewayServerOptions {
  readonly config: ServerConfig;
  /** The root logger; each RPC gets a child with `reqId` and `rpc`. */
  readonly log: Logger;
  /** Registers the switchboard services on the router. */
  readonly routes: (router: ConnectRouter) => void;
  /**
   * The services `routes` registers. Reflection describes them (with health and reflection),
   * and each gets a health status under its full name, e.g. "switchboard.v1.PromptService".
   */
  readonly services: readonly DescService[];
  /** Run inside the server's own request-logging interceptor, first one outermost. */
  readonly interceptors?: readonly Interceptor[] | undefined;
}

/** Where the server listens. */
export interface GatewayAddress {
  readonly host: string;
  readonly port: number;
  /** e.g. "http://127.0.0.1:8080"; "https" with TLS; loopback for a wildcard host. */
  readonly url: string;
}

/** The gateway's one port: gRPC, gRPC-Web and Connect over HTTP/1.1 and HTTP/2 (+ TLS). */
export interface GatewayServer {
  /** Starts listening on `config.host`/`config.port` (0 = any free port); every health status turns SERVING. */
  listen(): Promise<GatewayAddress>;
  /** Undefined until `listen` resolves. */
  readonly address: GatewayAddress | undefined;
  readonly health: HealthState;
  /** HTTP requests whose response has not closed yet. */
  inFlight(): number;
  /**
   * Graceful shutdown: every health status but "liveness" turns NOT_SERVING and health watches
   * end; the port stops accepting; HTTP/2 connections get GOAWAY and HTTP/1.1 connections close
   * once idle; requests in progress get `config.shutdownGraceMs` to finish, then the remaining
   * connections are destroyed. Resolves when every connection is closed. Idempotent. Installs
   * no signal handler: the CLI does.
   */
  shutdown(): Promise<void>;
}

/**
 * Creates the server: one connect-node adapter serving the switchboard services, gRPC health
 * and server reflection (v1 and v1alpha), behind the lean path that answers Connect unary and
 * server-streaming POSTs with the same implementations and options (`createLeanConnect`),
 * with the configured message size limits, bounded
 * decompression and a cap on calls in progress per client address; deadlines clamped to what a
 * timer can hold; CORS for the configured origins; a request id (`x-request-id`) on every
 * response and a log line per RPC; `GET /healthz` for plain HTTP load balancers; with
 * `config.playground`, the browser playground at `GET /playground` (read into memory here); a
 * JSON 404 for any other path. Throws when the configured TLS files cannot be read.
 */
export function createGatewayServer(options: GatewayServerOptions): GatewayServer {
  const { config, log } = options;
  const health = createHealthService(options.services.map((service) => service.typeName));
  const reflection = createReflectionServices(
    [...options.services, Health],
    [file_switchboard_v1_errors, file_google_rpc_error_details],
  );
  const rpcLog = createRpcLog(log);
  const cors = createCorsPolicy(config.corsOrigins);
  const handlerOptions = {
    readMaxBytes: config.maxMessageBytes,
    writeMaxBytes: config.maxMessageBytes,
    acceptCompression: createBoundedCompressions(config),
    interceptors: [
      rpcLog.interceptor,
      ...(options.interceptors ?? []),
      createClientCallLimit(config.maxConcurrentCallsPerClient),
    ],
  };
  let implementations: RegisteredMethod[] = [];
  const rpcHandler = connectNodeAdapter({
    routes(router) {
      const recording = recordingRouter(router);
      options.routes(recording.router);
      recording.router.service(Health, health.impl);
      router.service(ServerReflectionV1, reflection.v1);
      router.service(ServerReflectionV1alpha, reflection.v1alpha);
      reportProtocolRejections(router.handlers, rpcLog.intercepted, rpcLog.rejected);
      implementations = recording.implementations;
    },
    grpc: true,
    grpcWeb: true,
    connect: true,
    ...handlerOptions,
    contextValues: rpcLog.contextValues,
    fallback: answerUnknownPath,
  });
  const lean = createLeanConnect(implementations, {
    handler: handlerOptions,
    contextValues: rpcLog.contextValues,
    onRejected: rpcLog.rejected,
    log,
  });
  const playground = config.playground ? loadPlaygroundAssets() : undefined;
  if (config.playground && playground === undefined) {
    log.warn("playground files not found (run scripts/build-playground.mjs); /playground is off");
  }
  const handler: HttpHandler = (req, res) => {
    rpcLog.begin(req, res);
    if (headersTooLarge(req)) {
      // A client that sends such headers gets no second request on this HTTP/1.1 connection.
      if (req.httpVersionMajor === 1) res.setHeader("connection", "close");
      answerJson(res, 431, headersTooLargeBody);
      return;
    }
    if (cors.handle(req, res)) return;
    if (req.url === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      const serving = health.state.getStatus("readiness") === ServingStatus.SERVING;
      res.writeHead(serving ? 200 : 503, { "content-type": "text/plain; charset=utf-8" });
      res.end(serving ? "ok\n" : "not serving\n");
      return;
    }
    if (playground && servePlayground(playground, req, res)) return;
    clampDeadlineHeaders(req);
    if (lean.handle(req, res)) return;
    useMinimalGrpcMessageEncoding(req, res);
    rpcHandler(req, res);
  };
  const tls = config.tls && {
    cert: readFileSync(config.tls.certPath),
    key: readFileSync(config.tls.keyPath),
  };
  const listener = createOnePortListener({
    handler,
    tls,
    maxConcurrentStreams: config.maxConcurrentStreams,
    idleTimeoutMs: config.idleTimeoutMs,
    limits: config,
    log,
  });
  const healthNames = ["", "liveness", "readiness", ...options.services.map((s) => s.typeName)];
  let address: GatewayAddress | undefined;
  let shuttingDown: Promise<void> | undefined;

  return {
    async listen() {
      const bound = await listener.listen(config.port, config.host);
      const scheme = tls ? "https" : "http";
      address = {
        host: config.host,
        port: bound.port,
        url: `${scheme}://${hostForUrl(config.host)}:${bound.port}`,
      };
      for (const name of healthNames) health.state.setStatus(name, ServingStatus.SERVING);
      log.info({ url: address.url, tls: tls !== undefined }, "listening");
      return address;
    },
    get address() {
      return address;
    },
    health: health.state,
    inFlight: () => listener.inFlight(),
    shutdown() {
      shuttingDown ??= (async () => {
        // Load balancers and probes see NOT_SERVING first; liveness holds until the end so that
        // Kubernetes does not restart a pod that is draining on purpose.
        health.state.setAllNotServing(["liveness"]);
        health.state.endWatches();
        log.info({ inFlight: listener.inFlight(), graceMs: config.shutdownGraceMs }, "draining");
        await listener.close(config.shutdownGraceMs);
        health.state.setAllNotServing();
        log.info("server closed");
      })();
      return shuttingDown;
    },
  };
}

const headersTooLargeBody = {
  code: "resource_exhausted",
  message: `request headers too large: at most ${maxHeaderFields} fields and ${maxHeaderBytes / 1024} KiB of names and values`,
};

const unknownRpcBody = {
  code: "unimplemented",
  message:
    "no such RPC: call POST /<package>.<Service>/<Method>, e.g. /switchboard.v1.ModelService/ListModels",
};

/**
 * Answers a path that names no RPC as every protocol says: UNIMPLEMENTED. A gRPC or gRPC-Web
 * client gets an empty 404 (its library maps it to UNIMPLEMENTED, as with connect-node's own
 * fallback); anyone else a Connect error, readable with `curl`.
 */
function answerUnknownPath(req: HttpRequest, res: HttpResponse): void {
  if ((req.headers["content-type"] ?? "").startsWith("application/grpc")) {
    res.writeHead(404);
    res.end();
    return;
  }
  answerJson(res, 404, unknownRpcBody);
}

/** Answers a GET or HEAD of a playground file; returns false for any other request. */
function servePlayground(assets: PlaygroundAssets, req: HttpRequest, res: HttpResponse): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const asset = assets.get((req.url ?? "").split("?", 1)[0] ?? "");
  if (asset === undefined) return false;
  res.writeHead(200, {
    "content-type": asset.contentType,
    "content-length": asset.body.length,
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    // The page calls only its own origin; its styles are inline.
    "content-security-policy":
      "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'",
  });
  if (req.method === "HEAD") res.end();
  else res.end(asset.body);
  return true;
}

function answerJson(res: HttpResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** A URL host for `host`: wildcard addresses become loopback, IPv6 literals get brackets. */
function hostForUrl(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
