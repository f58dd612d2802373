/**
 * The server under test of the Connect conformance suite (`connectconformance --mode server`):
 * Switchboard's own server stack, `createGatewayServer` with the interceptors production uses,
 * serving the suite's `ConformanceService` instead of the switchboard services. Reads a
 * size-delimited `ServerCompatRequest` from stdin, listens on 127.0.0.1 (any free port, with
 * TLS when asked) and writes a size-delimited `ServerCompatResponse` to stdout; logs fatal
 * errors to stderr; shuts down on SIGTERM. Run as `node --import tsx test/conformance/server.ts`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { pino } from "pino";
import { CONFIG_DEFAULTS } from "../../src/config/config-defaults.js";
import type { ServerConfig } from "../../src/config/gateway-config.js";
import { createLogger } from "../../src/logging/create-logger.js";
import { createGatewayServer } from "../../src/server/create-gateway-server.js";
import { createErrorInterceptor } from "../../src/server/error-interceptor.js";
import { createConformanceService, echoedRequestRegistry } from "./conformance-service.js";
import {
  type ServerCompatRequest,
  ServerCompatRequestSchema,
  ServerCompatResponseSchema,
} from "./gen/connectrpc/conformance/v1/server_compat_pb.js";
import { ConformanceService } from "./gen/connectrpc/conformance/v1/service_pb.js";
import { readSizeDelimited, sizeDelimited } from "./size-delimited.js";

/**
 * How long requests in progress get once the runner sends SIGTERM, in milliseconds. The runner
 * signals only after its last response, so nothing should be left to wait for; the production
 * default (30 s) would only slow the run down when something is.
 */
const shutdownGraceMs = 1_000;

const request = fromBinary(ServerCompatRequestSchema, await readSizeDelimited(process.stdin));
if (request.clientTlsCert.byteLength > 0) {
  throw new Error("TLS client certificates are not supported (supportsTlsClientCerts: false)");
}
const tlsFiles = request.useTls ? writeTlsFiles(request) : undefined;
// The suite asks for INTERNAL, DATA_LOSS … answers on purpose, and the RPC log reports those as
// errors: only what stops the process is worth the runner's output.
const log = createLogger({ level: "fatal" }, pino.destination({ dest: 2, sync: true }));
const server = createGatewayServer({
  config: serverConfig(request, tlsFiles),
  log,
  services: [ConformanceService],
  interceptors: [createErrorInterceptor(log)],
  routes(router) {
    router.service(ConformanceService, createConformanceService(), {
      jsonOptions: { registry: echoedRequestRegistry },
      // Every answer echoes its request, so a request at the receive limit makes an answer over
      // it; the gateway's maxMessageBytes bounds answers too, and the suite tests only the
      // receive limit. The switchboard services never echo a request.
      writeMaxBytes: CONFIG_DEFAULTS.server.maxMessageBytes,
    });
  },
});
// The server has read its certificate and key.
tlsFiles?.remove();
const address = await server.listen();
process.once("SIGTERM", () => {
  void server.shutdown().finally(() => process.exit(0));
});
const response = create(ServerCompatResponseSchema, {
  host: address.host,
  port: address.port,
  pemCert: request.useTls ? request.serverCreds?.cert : undefined,
});
process.stdout.write(sizeDelimited(toBinary(ServerCompatResponseSchema, response)));

interface TlsFiles {
  readonly certPath: string;
  readonly keyPath: string;
  remove(): void;
}

/**
 * The gateway reads its certificate and key from files (once, in `createGatewayServer`): the
 * runner's PEMs, in a temp folder.
 */
function writeTlsFiles(compat: ServerCompatRequest): TlsFiles {
  const creds = compat.serverCreds;
  if (creds === undefined) throw new Error("use_tls is set but server_creds is missing");
  const dir = mkdtempSync(join(tmpdir(), "switchboard-conformance-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  writeFileSync(certPath, creds.cert);
  writeFileSync(keyPath, creds.key, { mode: 0o600 });
  return { certPath, keyPath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The production defaults of every server setting, on 127.0.0.1 and any free port, with the
 * runner's message receive limit (0: none asked, keep the default) as `maxMessageBytes`. Only
 * the playground, the shutdown grace, the compression ratio bound and the answers' size limit
 * (see `routes`) differ.
 */
function serverConfig(compat: ServerCompatRequest, tls: TlsFiles | undefined): ServerConfig {
  return {
    ...CONFIG_DEFAULTS.server,
    host: "127.0.0.1",
    port: 0,
    tls: tls && { certPath: tls.certPath, keyPath: tls.keyPath },
    // The playground's pages are no RPC; the suite never asks for them.
    playground: false,
    shutdownGraceMs,
    maxMessageBytes:
      compat.messageReceiveLimit > 0
        ? compat.messageReceiveLimit
        : CONFIG_DEFAULTS.server.maxMessageBytes,
    // The suite sends messages of exactly the receive limit padded with zeros, which gzip and
    // br shrink more than 1,000 times; the production bound (100, a defence against
    // decompression bombs, tested in test/server/bounded-decompression.test.ts and the abuse
    // suite) would refuse them. The size limit itself still applies to inflated messages.
    maxCompressionRatio: 1_000_000,
  };
}
