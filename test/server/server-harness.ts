import { EventEmitter } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { type Logger, pino } from "pino";
import { ModelService, ModelState } from "../../gen/switchboard/v1/model_service_pb.js";
import { PromptService } from "../../gen/switchboard/v1/prompt_service_pb.js";
import type { ServerConfig } from "../../src/config/gateway-config.js";
import {
  createGatewayServer,
  type GatewayAddress,
  type GatewayServer,
} from "../../src/server/create-gateway-server.js";
import { requestIdKey } from "../../src/server/request-context.js";
import { defaultClientLimits } from "../support/test-config.js";

/** A server config for tests: loopback, any free port, small limits. */
export function testServerConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: "127.0.0.1",
    port: 0,
    tls: undefined,
    corsOrigins: ["https://app.example.com"],
    maxMessageBytes: 4096,
    maxConcurrentStreams: 100,
    idleTimeoutMs: 10_000,
    shutdownGraceMs: 5_000,
    maxPromptChars: 1_000,
    playground: false,
    ...defaultClientLimits,
    ...overrides,
  };
}

/** The one model the fake ModelService lists. */
export const fakeModelId = "test:echo";

/**
 * Fake switchboard services: ListModels lists one model; Prompt echoes the prompt and sends the
 * request id it saw in `x-seen-request-id`; StreamPrompt sends `metadata.events` deltas (default
 * 3), one every `metadata.intervalMs` (default 0).
 */
export function fakeRoutes(router: ConnectRouter): void {
  router.service(ModelService, {
    listModels() {
      return {
        models: [{ id: fakeModelId, provider: "test", name: "echo", state: ModelState.READY }],
      };
    },
  });
  router.service(PromptService, {
    prompt(request, context) {
      context.responseHeader.set("x-seen-request-id", context.values.get(requestIdKey));
      return { text: `echo: ${request.prompt}`, sessionId: "session-1", model: fakeModelId };
    },
    async *streamPrompt(request, context) {
      const events = Number(request.metadata.events ?? "3");
      const intervalMs = Number(request.metadata.intervalMs ?? "0");
      for (let sequence = 1; sequence <= events; sequence++) {
        if (intervalMs > 0) await delay(intervalMs, undefined, { signal: context.signal });
        yield {
          sequence: BigInt(sequence),
          event: { case: "delta", value: { text: `word${sequence} ` } },
        };
      }
    },
  });
}

/** Log lines as parsed objects, with a way to wait for one. */
export interface LogCapture {
  readonly log: Logger;
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first line, past or future, that matches. */
  waitFor(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

export function captureLogs(): LogCapture {
  const lines: Record<string, unknown>[] = [];
  const events = new EventEmitter();
  const log = pino(
    { level: "debug" },
    {
      write(text: string) {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        events.emit("line", line);
      },
    },
  );
  return {
    log,
    lines,
    waitFor(match) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const onLine = (line: Record<string, unknown>): void => {
          if (!match(line)) return;
          events.off("line", onLine);
          resolve(line);
        };
        events.on("line", onLine);
      });
    },
  };
}

/** A listening gateway server with the fake services. */
export interface TestServer {
  readonly server: GatewayServer;
  readonly address: GatewayAddress;
  readonly logs: LogCapture;
}

/** What a test server runs besides its config: by default the fake services, no interceptor. */
export interface TestServerOptions {
  readonly routes?: (router: ConnectRouter) => void;
  readonly interceptors?: (log: Logger) => Interceptor[];
}

export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const logs = captureLogs();
  const server = createGatewayServer({
    config: testServerConfig(overrides),
    log: logs.log,
    routes: options.routes ?? fakeRoutes,
    services: [ModelService, PromptService],
    interceptors: options.interceptors?.(logs.log),
  });
  const address = await server.listen();
  return { server, address, logs };
}
