import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import pino, { type Logger } from "pino";
import { ModelService } from "../../gen/switchboard/v1/model_service_pb.js";
import { PromptService } from "../../gen/switchboard/v1/prompt_service_pb.js";
import { SessionService } from "../../gen/switchboard/v1/session_service_pb.js";
import type { GatewayConfig } from "../../src/config/gateway-config.js";
import { type RunningGateway, startGateway } from "../../src/gateway.js";
import type { SecretRegistry } from "../../src/secrets/secret-registry.js";

/** A real gateway on a free port with Connect clients for its three services. */
export interface TestGateway extends RunningGateway {
  readonly prompts: Client<typeof PromptService>;
  readonly sessions: Client<typeof SessionService>;
  readonly models: Client<typeof ModelService>;
}

/** Options of `startTestGateway`. */
export interface TestGatewayOptions {
  readonly now?: () => number;
  readonly httpVersion?: "1.1" | "2";
  /** The root logger. Default: pino at `TEST_LOG_LEVEL`, else silent. */
  readonly log?: Logger;
  /** The registry the gateway fills with the configuration's secrets (see `startGateway`). */
  readonly secrets?: SecretRegistry;
}

/** Starts the gateway with `config`; call `shutdown()` in `afterEach`/`afterAll`. */
export async function startTestGateway(
  config: GatewayConfig,
  options: TestGatewayOptions = {},
): Promise<TestGateway> {
  const log = options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const { now, secrets } = options;
  const gateway = await startGateway({ config, log, now, secrets });
  const transport = createConnectTransport({
    baseUrl: gateway.url,
    httpVersion: options.httpVersion ?? "1.1",
  });
  return {
    ...gateway,
    prompts: createClient(PromptService, transport),
    sessions: createClient(SessionService, transport),
    models: createClient(ModelService, transport),
  };
}
