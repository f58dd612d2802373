import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";
import { FAILING_MODEL, SLOW_MODEL } from "./interop-cases.js";

/** The gateway every client of the matrix talks to, and the fake upstream behind its failing model. */
export interface InteropGateway {
  readonly gateway: TestGateway;
  /** "host:port", for the gRPC clients. */
  readonly address: string;
  /** Stops the gateway, then the fake upstream. */
  close(): Promise<void>;
}

/**
 * Starts the gateway with three models: `demo:echo` (the default route), `SLOW_MODEL` (a demo
 * model waiting 500 ms between words, so ~11 s per answer) and `FAILING_MODEL` (the fake
 * OpenAI server's "always-503"). One retry, and no cooldown after a failure, so that every
 * client's UNAVAILABLE carries the same two OVERLOADED attempts rather than a skipped model.
 */
export async function startInteropGateway(): Promise<InteropGateway> {
  const upstream: FakeOpenAi = await startFakeOpenAi();
  const [failProvider, failModel] = FAILING_MODEL.split(":");
  const [slowProvider] = SLOW_MODEL.split(":");
  if (failProvider === undefined || failModel === undefined || slowProvider === undefined) {
    throw new Error("interop model ids must be provider:model");
  }
  try {
    const gateway = await startTestGateway(
      testConfig({
        providers: {
          demo: { type: "demo" },
          [slowProvider]: { type: "demo", demoDelayMs: 500 },
          [failProvider]: {
            type: "openai-compatible",
            baseUrl: upstream.baseUrl,
            apiKey: "sk-test",
          },
        },
        models: ["demo:echo", SLOW_MODEL, FAILING_MODEL],
        retry: { maxRetries: 1 },
        restore: { providerErrorMs: 0, providerCommunicationErrorMs: 0 },
      }),
    );
    return {
      gateway,
      address: new URL(gateway.url).host,
      async close() {
        await gateway.shutdown();
        await upstream.close();
      },
    };
  } catch (error) {
    await upstream.close();
    throw error;
  }
}
