import { Writable } from "node:stream";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttemptTrailSchema } from "../../gen/switchboard/v1/errors_pb.js";
import { createLogger } from "../../src/logging/create-logger.js";
import { createSecretRegistry } from "../../src/secrets/secret-registry.js";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../fakes/anthropic/fake-anthropic-server.js";
import { type FakeBedrock, startFakeBedrock } from "../fakes/bedrock/fake-bedrock-server.js";
import type { EchoFaultName } from "../fakes/fake-echo-faults.js";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import type { RecordedUpstreamRequest } from "../fakes/fake-upstream-server.js";
import { type FakeGemini, startFakeGemini } from "../fakes/gemini/fake-gemini-server.js";
import { type TestConfigOverrides, testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

/**
 * Distinctive secrets, several with the characters that JSON escapes (`"`, `\`) or a URL
 * encodes (`/`, `+`, `&`, `%`, `'`, space), so that their escaped and encoded forms differ.
 */
const SECRETS = {
  openaiKey: "oai_Kq7Tx9Wv2Rm4Zp8L",
  openaiHeader: 'tt-oai"Qz3Rw8/Xc5+Vb',
  deepseekKey: "dsk.Hn4Lp9Qs2Wt6Yx1C",
  deepseekHeader: "gk-deep\\Mf3Nr7%Ks5",
  azureKey: 'az"Key\\9Pq2Lm5Tn8Rv',
  azureHeader: "ms-Ct4Yh8Jk2Pd6&Ws",
  // Sent as "Bearer <key>": the providers' Bearer pattern masks its start, not its quote on.
  compatibleKey: 'cmp"Tok/Vx3Bq8Nm1Ht',
  compatibleHeader: "Bearer pxy-Zr5Gt9Lc3Mw7Fd",
  groqKey: "gsk_Wb6Nj2Xc8Ty4Qh1R",
  groqHeader: "org-Ge5Uw1Pa7 Ks3Dn",
  anthropicKey: "sk-ant-api03-Lr8Vx2Qm6Tz4Wc9H",
  anthropicHeader: "Bearer cfaig'Hy3Bn7Qt2Xs",
  geminiKey: "AIzaSyEcho-Gm4Kp8Wd2Rt6Nq0Vx5Lc3Bj7Hs1",
  geminiHeader: "proj-Fk2Lq8Zs5Wv1Tm",
  bedrockHeader: "trc-Pw3Ks9Lz5Qn1Hv",
  awsAccessKeyId: "AKIAECHOTEST7QW3RT5Y",
  awsSecretAccessKey: "wJalr/XUtnFEMI+K7MDENG/bPxRfiCYEchoKEY1",
  awsSessionToken: "IQoJb3JpZ2luX2VjEchoSessionToken/Ab+Cd==",
} as const;

const AWS_ENV = {
  AWS_ACCESS_KEY_ID: SECRETS.awsAccessKeyId,
  AWS_SECRET_ACCESS_KEY: SECRETS.awsSecretAccessKey,
  AWS_SESSION_TOKEN: SECRETS.awsSessionToken,
} as const;

/** Every provider type, one configured provider each. */
const PROVIDERS = ["oai", "deep", "azure", "compat", "groq", "claude", "google", "aws"] as const;

/** Every error shape an echoing upstream answers with (see `EchoFaultName`). */
const FAULTS = [
  "echo-401",
  "echo-404",
  "echo-429",
  "echo-500",
  "echo-503",
  "echo-url-401",
  "echo-html-502",
  "echo-garbage",
  "echo-stream-error",
] as const satisfies readonly EchoFaultName[];

/** The shapes whose reason carries the upstream's message, so the echo must show redacted. */
const ECHOED_IN_REASON = new Set<string>([
  "echo-401",
  "echo-404",
  "echo-429",
  "echo-500",
  "echo-503",
  "echo-url-401",
  "echo-stream-error",
]);

/** How long a piece of a secret may be before the test calls it a leak. */
const WINDOW_CHARS = 8;

/**
 * Every `WINDOW_CHARS`-long piece of every secret, as it is, JSON-escaped (once and twice),
 * URL-encoded and form-encoded: finding any of them in a text is a leak, whole or in part.
 */
const LEAK_WINDOWS: ReadonlyMap<string, string> = (() => {
  const windows = new Map<string, string>();
  for (const [name, secret] of Object.entries(SECRETS)) {
    const json = JSON.stringify(secret).slice(1, -1);
    const forms = [
      secret,
      json,
      JSON.stringify(json).slice(1, -1),
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ];
    for (const form of forms) {
      for (let i = 0; i + WINDOW_CHARS <= form.length; i++) {
        windows.set(form.slice(i, i + WINDOW_CHARS), name);
      }
    }
  }
  return windows;
})();

/** The secrets (by name) a piece of which occurs in `text`. */
function leaksIn(text: string): string[] {
  const leaked = new Set<string>();
  for (let i = 0; i + WINDOW_CHARS <= text.length; i++) {
    const name = LEAK_WINDOWS.get(text.slice(i, i + WINDOW_CHARS));
    if (name !== undefined) leaked.add(name);
  }
  return [...leaked];
}

describe("configured secrets never leave the process", () => {
  let openai: FakeOpenAi;
  let anthropic: FakeAnthropic;
  let gemini: FakeGemini;
  let bedrock: FakeBedrock;
  let gateway: TestGateway;
  const logLines: string[] = [];
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const [name, value] of Object.entries(AWS_ENV)) {
      savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
    [openai, anthropic, gemini, bedrock] = await Promise.all([
      startFakeOpenAi(),
      startFakeAnthropic(),
      startFakeGemini({ apiKey: SECRETS.geminiKey }),
      startFakeBedrock({ region: "eu-central-1" }),
    ]);
    const providers: TestConfigOverrides["providers"] = {
      oai: {
        type: "openai",
        baseUrl: openai.baseUrl,
        apiKey: SECRETS.openaiKey,
        headers: { "x-team-token": SECRETS.openaiHeader },
      },
      deep: {
        type: "deepseek",
        baseUrl: openai.baseUrl,
        apiKey: SECRETS.deepseekKey,
        headers: { "x-gateway-key": SECRETS.deepseekHeader },
      },
      azure: {
        type: "azure-openai",
        baseUrl: openai.origin,
        apiKey: SECRETS.azureKey,
        headers: { "x-ms-client-token": SECRETS.azureHeader },
      },
      compat: {
        type: "openai-compatible",
        baseUrl: openai.baseUrl,
        apiKey: SECRETS.compatibleKey,
        headers: { "x-proxy-authorization": SECRETS.compatibleHeader },
      },
      groq: {
        type: "groq",
        baseUrl: `${openai.origin}/openai/v1`,
        apiKey: SECRETS.groqKey,
        headers: { "x-groq-org": SECRETS.groqHeader },
      },
      claude: {
        type: "anthropic",
        baseUrl: anthropic.baseUrl,
        apiKey: SECRETS.anthropicKey,
        headers: { "cf-aig-authorization": SECRETS.anthropicHeader },
      },
      google: {
        type: "gemini",
        baseUrl: gemini.baseUrl,
        apiKey: SECRETS.geminiKey,
        headers: { "x-goog-user-project": SECRETS.geminiHeader },
      },
      aws: {
        type: "bedrock",
        baseUrl: bedrock.baseUrl,
        region: "eu-central-1",
        headers: { "x-bedrock-trace": SECRETS.bedrockHeader },
      },
    };
    const models = PROVIDERS.flatMap((provider) => [
      `${provider}:echo-401:control`,
      ...FAULTS.flatMap((fault) => [`${provider}:${fault}:prompt`, `${provider}:${fault}:stream`]),
    ]);
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    });
    // The wiring of `switchboard serve`: an empty registry for the root logger, filled by the
    // gateway from the configuration and the environment.
    const secrets = createSecretRegistry();
    const log = createLogger({ level: "trace", secrets }, destination);
    gateway = await startTestGateway(testConfig({ providers, models, retry: { maxRetries: 0 } }), {
      log,
      secrets,
    });
  });

  afterAll(async () => {
    await gateway?.shutdown();
    await Promise.all([openai?.close(), anthropic?.close(), gemini?.close(), bedrock?.close()]);
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  /** The texts a failed call shows its client: the message and every attempt's reason. */
  function shownTexts(error: unknown): { message: string; reasons: string[] } {
    expect(error).toBeInstanceOf(ConnectError);
    const connectError = error as ConnectError;
    const trails = connectError.findDetails(AttemptTrailSchema);
    expect(trails).toHaveLength(1);
    const reasons = trails.flatMap((trail) => trail.attempts.map((attempt) => attempt.reason));
    expect(reasons).toHaveLength(1);
    return { message: connectError.rawMessage, reasons };
  }

  async function promptError(model: string): Promise<unknown> {
    try {
      await gateway.prompts.prompt({ prompt: "Say hi", models: [model] });
    } catch (error) {
      return error;
    }
    throw new Error(`${model} answered`);
  }

  async function streamPromptError(model: string): Promise<{ error: unknown; events: string }> {
    const events: unknown[] = [];
    try {
      for await (const event of gateway.prompts.streamPrompt({
        prompt: "Say hi",
        models: [model],
      })) {
        events.push(event);
      }
    } catch (error) {
      const text = JSON.stringify(events, (_key, value: unknown) =>
        typeof value === "bigint" ? String(value) : value,
      );
      return { error, events: text };
    }
    throw new Error(`${model} streamed an answer`);
  }

  it("sends every provider's key and headers upstream, so that the echoes carry them", async () => {
    // Positive control: without these in the requests, the echoes would prove nothing.
    for (const provider of PROVIDERS) {
      const error = await promptError(`${provider}:echo-401:control`);
      expect(ConnectError.from(error).code).toBe(Code.Unavailable);
    }
    const sent = (requests: readonly RecordedUpstreamRequest[]) =>
      JSON.stringify(requests.map((request) => request.headers));
    expect(sent(openai.requests)).toContain(JSON.stringify(SECRETS.openaiHeader).slice(1, -1));
    expect(sent(openai.requests)).toContain(JSON.stringify(SECRETS.azureKey).slice(1, -1));
    expect(sent(openai.requests)).toContain(JSON.stringify(SECRETS.compatibleKey).slice(1, -1));
    expect(sent(anthropic.requests)).toContain(SECRETS.anthropicKey);
    expect(sent(gemini.requests)).toContain(SECRETS.geminiKey);
    expect(sent(bedrock.requests)).toContain(SECRETS.awsSessionToken);
    expect(sent(bedrock.requests)).toContain(SECRETS.awsAccessKeyId);
    expect(sent(bedrock.requests)).toContain(SECRETS.bedrockHeader);
  });

  for (const provider of PROVIDERS) {
    for (const fault of FAULTS) {
      it(`keeps ${provider}'s secrets out of the Prompt and StreamPrompt errors of ${fault}`, async () => {
        const prompt = shownTexts(await promptError(`${provider}:${fault}:prompt`));
        const stream = await streamPromptError(`${provider}:${fault}:stream`);
        const streamed = shownTexts(stream.error);
        const shown = [prompt.message, ...prompt.reasons, streamed.message, ...streamed.reasons];
        expect(leaksIn([...shown, stream.events].join("\n"))).toEqual([]);
        if (ECHOED_IN_REASON.has(fault)) {
          // The echo did reach the client, with its secrets replaced rather than dropped.
          expect(prompt.reasons[0]).toContain("[redacted]");
          expect(streamed.reasons[0]).toContain("[redacted]");
        }
      });
    }
  }

  it("keeps every secret out of ListModels' last errors", async () => {
    const { models } = await gateway.models.listModels({});
    const lastErrors = models.map((model) => model.lastError).filter((text) => text !== "");
    expect(lastErrors.length).toBeGreaterThan(PROVIDERS.length * FAULTS.length);
    expect(lastErrors.some((text) => text.includes("[redacted]"))).toBe(true);
    expect(leaksIn(lastErrors.join("\n"))).toEqual([]);
  });

  it("keeps every secret out of every log line, at trace, raw upstream data included", () => {
    const debugData = logLines.filter((line) => line.includes('"malformed '));
    expect(debugData.length).toBeGreaterThan(0);
    expect(debugData.some((line) => line.includes("[redacted]"))).toBe(true);
    expect(leaksIn(logLines.join("\n"))).toEqual([]);
  });
});
