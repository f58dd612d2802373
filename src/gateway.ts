import type { Logger } from "pino";
import { ModelService } from "../gen/switchboard/v1/model_service_pb.js";
import { PromptService } from "../gen/switchboard/v1/prompt_service_pb.js";
import { SessionService } from "../gen/switchboard/v1/session_service_pb.js";
import type { GatewayConfig } from "./config/gateway-config.js";
import { createEngine } from "./engine/create-engine.js";
import { createProviders } from "./providers/create-provider.js";
import { configSecrets } from "./secrets/config-secrets.js";
import { createSecretRegistry, type SecretRegistry } from "./secrets/secret-registry.js";
import { createGatewayServer } from "./server/create-gateway-server.js";
import { createErrorInterceptor } from "./server/error-interceptor.js";
import { createModelService } from "./services/model-service.js";
import { createPromptService } from "./services/prompt-service.js";
import { createSessionService } from "./services/session-service.js";
import { createStorage } from "./storage/create-storage.js";

/** What `startGateway` needs. */
export interface StartGatewayOptions {
  readonly config: GatewayConfig;
  readonly log: Logger;
  /** Clock for the engine, its cooldowns and the storage's expiry, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * The process's secrets, typically the one the root logger redacts with. The configuration's
   * secrets and the AWS credentials of `process.env` are added to it here (see
   * `configSecrets`); failure reasons and the messages of errors sent are redacted with it.
   * Default: a new registry.
   */
  readonly secrets?: SecretRegistry;
}

/** A listening gateway. */
export interface RunningGateway {
  /** e.g. "http://127.0.0.1:8080". */
  readonly url: string;
  readonly port: number;
  /**
   * Graceful shutdown: health turns NOT_SERVING, the port stops accepting, open HTTP/2
   * connections get GOAWAY, in-flight RPCs and running generations get up to
   * `server.shutdownGraceMs` to finish; then providers and storage are closed.
   */
  shutdown(): Promise<void>;
}

/** Wires providers, storage, engine, services and the one-port server, and starts listening. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { config, log } = options;
  const secrets = options.secrets ?? createSecretRegistry();
  for (const secret of configSecrets(config, process.env)) secrets.add(secret);
  // Storage first: an unreachable Valkey stops the start before anything else is opened.
  const storage = await createStorage(config, { log, now: options.now });
  const providers = createProviders(config.providers, log);
  const engine = createEngine({ config, providers, storage, log, now: options.now, secrets });
  const server = createGatewayServer({
    config: config.server,
    log,
    services: [PromptService, SessionService, ModelService],
    interceptors: [createErrorInterceptor(log, secrets)],
    routes(router) {
      router.service(PromptService, createPromptService(engine));
      router.service(SessionService, createSessionService(engine));
      router.service(ModelService, createModelService(engine));
    },
  });
  const { url, port } = await server.listen();
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    shutdown() {
      closing ??= (async () => {
        await Promise.all([server.shutdown(), engine.drain(config.server.shutdownGraceMs)]);
        await Promise.all([...providers.values()].map((provider) => provider.close()));
        await storage.close();
      })();
      return closing;
    },
  };
}
