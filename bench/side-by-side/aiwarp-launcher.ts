/**
 * Platformatic AI Warp's engine as a server, for `npm run bench:side-by-side`: fastify with
 * `@platformatic/fastify-ai` 1.1.3 (the plugin `@platformatic/ai-warp` wraps), AI Warp's two
 * routes (`POST /api/v1/prompt`, JSON; `POST /api/v1/stream`, server-sent events) with its body
 * contract, and the engine's own undici OpenAI client pointed at the lean upstream. It does what
 * `/work/shared/peers/aiwarp-launcher.mjs` does.
 *
 *   cd .tools/bench-peers && node PATH/TO/aiwarp-launcher.ts --upstream http://127.0.0.1:PORT
 *     [--pipelining 2] [--valkey-port PORT]
 *
 * The packages come from scripts/install-bench-peers.sh and are resolved from the working
 * directory, not from this file: they are no dependency of the project. Self-contained (Node
 * runs it with its built-in type stripping, no loader). Listens on a free port of 127.0.0.1,
 * prints `{"type":"listening","port":PORT}` and exits when its stdin ends.
 */

import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    upstream: { type: "string" },
    // AI Warp's default; 1 for long streams, where a second stream would queue behind the first.
    pipelining: { type: "string", default: "2" },
    "valkey-port": { type: "string" },
  },
});
if (values.upstream === undefined) throw new Error("--upstream URL is required");

/** The few parts of a fastify app this launcher uses. */
interface FastifyApp {
  register(plugin: unknown, options: object): Promise<unknown>;
  post(url: string, options: { schema: object }, handler: RouteHandler): void;
  listen(options: { host: string; port: number }): Promise<string>;
  readonly server: { address(): AddressInfo | string | null };
  close(): Promise<void>;
  /** Decorated by `@platformatic/fastify-ai`. */
  readonly ai: { request(options: object, reply: unknown): Promise<unknown> };
}
type RouteHandler = (request: { body: PromptBody }, reply: Reply) => Promise<unknown>;
interface Reply {
  send(payload: unknown): unknown;
}
/** AI Warp's request body: only these five fields are read. */
interface PromptBody {
  readonly prompt: string;
  readonly context?: string;
  readonly temperature?: number;
  readonly sessionId?: string;
  readonly history?: readonly { prompt: string; response: string }[];
}

const fromPeers = createRequire(join(process.cwd(), "package.json"));
async function peerModule<T>(specifier: string): Promise<T> {
  return import(pathToFileURL(fromPeers.resolve(specifier)).href);
}

const { default: fastify } = await peerModule<{ default: (options: object) => FastifyApp }>(
  "fastify",
);
const { default: fastifyAi } = await peerModule<{ default: unknown }>("@platformatic/fastify-ai");
const { createOpenAiClient } = await peerModule<{
  createOpenAiClient(options: object): unknown;
}>("@platformatic/ai-provider/dist/providers/lib/openai-undici-client.js");

// As AI Warp builds it for an OpenAI provider, but for the base URL.
const client = createOpenAiClient({
  providerName: "OpenAI",
  baseUrl: values.upstream,
  apiPath: "/v1/chat/completions",
  apiKey: "sk-fake",
  userAgent: "platformatic-warp/0.6.0",
  undiciOptions: {
    pipelining: Number(values.pipelining),
    bodyTimeout: 60_000,
    headersTimeout: 30_000,
  },
});
const app = fastify({ logger: { level: "warn" } });
await app.register(fastifyAi, {
  providers: { openai: { apiKey: "sk-fake", client } },
  models: [{ provider: "openai", model: "gpt-4o-mini" }],
  // The engine's default (200 requests per 30 s) would refuse the load: lifted, as Switchboard
  // has no rate limit unless one is configured.
  limits: { rate: { max: 100_000_000, timeWindow: "1m" } },
  ...(values["valkey-port"] === undefined
    ? {}
    : {
        storage: {
          type: "valkey",
          valkey: { host: "127.0.0.1", port: Number(values["valkey-port"]) },
        },
      }),
});

const body = {
  type: "object",
  required: ["prompt"],
  properties: {
    prompt: { type: "string" },
    context: { type: "string" },
    temperature: { type: "number" },
    sessionId: { type: "string" },
    history: {
      type: "array",
      items: {
        type: "object",
        required: ["prompt", "response"],
        properties: { prompt: { type: "string" }, response: { type: "string" } },
      },
    },
  },
};
const errorShape = {
  type: "object",
  properties: { code: { type: "string" }, message: { type: "string" } },
};
const promptResponse = {
  type: "object",
  properties: {
    text: { type: "string" },
    result: { type: "string" },
    sessionId: { type: "string" },
  },
};

function route(url: string, stream: boolean, schema: object): void {
  app.post(url, { schema }, async (request, reply) => {
    const { prompt, context, temperature, history, sessionId } = request.body;
    const options = { request, prompt, context, temperature, history, sessionId, stream };
    try {
      return reply.send(await app.ai.request(options, reply));
    } catch (error) {
      // AI Warp returns the engine's FastifyErrors as they are (status 500 unless they set one).
      if (error instanceof Error && "code" in error) return error;
      throw error;
    }
  });
}
route("/api/v1/prompt", false, { body, response: { 200: promptResponse, default: errorShape } });
route("/api/v1/stream", true, { body });

await app.listen({ host: "127.0.0.1", port: 0 });
const address = app.server.address();
if (address === null || typeof address === "string") throw new Error("no TCP address");
process.stdout.write(`${JSON.stringify({ type: "listening", port: address.port })}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  app.close().finally(() => process.exit(0));
});
