import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PromptService,
  type StreamPromptResponse,
  StreamState,
} from "../../gen/switchboard/v1/prompt_service_pb.js";
import { SessionService } from "../../gen/switchboard/v1/session_service_pb.js";
import { AttemptOutcome } from "../../gen/switchboard/v1/types_pb.js";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import { type GatewayProcess, startGatewayProcess } from "../support/gateway-process.js";
import { collect, textOf } from "../support/stream-events.js";
import { startValkeyServer, type ValkeyTestServer } from "../support/valkey-server.js";

interface Instance {
  readonly process: GatewayProcess;
  readonly prompts: Client<typeof PromptService>;
  readonly sessions: Client<typeof SessionService>;
}

const longPrompt = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");

describe("two gateway processes sharing one Valkey", () => {
  let valkey: ValkeyTestServer;
  let upstream: FakeOpenAi;
  let a: Instance;
  let b: Instance;
  const prefixCount = 0;

  function config() {
    return {
      server: { host: "127.0.0.1", port: 0, shutdownGracePeriod: "10s" },
      logging: { level: "info" },
      providers: {
        demo: { type: "demo", delay: "25ms" },
        fake: { type: "openai-compatible", baseUrl: upstream.baseUrl, apiKey: "sk-test" },
      },
      models: [
        "demo:echo",
        "fake:ok",
        "fake:always-503",
        { provider: "fake", model: "limited", limits: { rate: { max: 5, timeWindow: "1m" } } },
      ],
      retry: { baseDelay: "10ms", maxDelay: "50ms" },
      storage: {
        type: "valkey",
        url: valkey.url,
        keyPrefix: `two${prefixCount}:`,
        streamLease: "500ms",
      },
    };
  }

  async function instance(): Promise<Instance> {
    const process = await startGatewayProcess(config());
    const transport = createConnectTransport({ baseUrl: process.url, httpVersion: "1.1" });
    return {
      process,
      prompts: createClient(PromptService, transport),
      sessions: createClient(SessionService, transport),
    };
  }

  beforeAll(async () => {
    [valkey, upstream] = await Promise.all([startValkeyServer(), startFakeOpenAi()]);
    [a, b] = await Promise.all([instance(), instance()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.process.kill(), b?.process.kill()]);
    await Promise.all([valkey?.stop(), upstream?.close()]);
  });

  it("continues on B a session started on A, sending A's turn upstream", async () => {
    const first = await a.prompts.prompt({
      prompt: "first question",
      models: ["fake:ok"],
      system: "sys",
    });
    await b.prompts.prompt({
      prompt: "second question",
      sessionId: first.sessionId,
      models: ["fake:ok"],
    });
    const sent = upstream.requestsFor("ok").at(-1)?.body as { messages: { content: string }[] };
    expect(sent.messages.map((message) => message.content)).toEqual([
      "sys",
      "first question",
      first.text,
      "second question",
    ]);
    const { messages } = await a.sessions.listMessages({ sessionId: first.sessionId });
    expect(messages).toHaveLength(4);
  });

  it("resumes on B, exactly once, a stream started on A whose client went away", async () => {
    const uninterrupted = await collect(
      a.prompts.streamPrompt({ prompt: longPrompt, models: ["demo:echo"] }),
    );
    const firstPart: StreamPromptResponse[] = [];
    for await (const event of a.prompts.streamPrompt({
      prompt: longPrompt,
      models: ["demo:echo"],
    })) {
      firstPart.push(event);
      if (firstPart.length === 3) break;
    }
    const rest = await collect(b.prompts.streamPrompt({ resumeToken: firstPart[2]!.resumeToken }));
    const all = [...firstPart, ...rest];
    expect(all.map((event) => Number(event.sequence))).toEqual(all.map((_, index) => index + 1));
    expect(all.at(-1)?.event.case).toBe("completed");
    expect(textOf(all)).toBe(textOf(uninterrupted));
  });

  it("cancels from B a generation produced on A", async () => {
    const events: StreamPromptResponse[] = [];
    const reading = (async () => {
      for await (const event of a.prompts.streamPrompt({
        prompt: longPrompt,
        models: ["demo:echo"],
      })) {
        events.push(event);
        if (events.length === 2 && event.event.case !== "completed") {
          const started = events[0]!.event;
          if (started.case !== "started") throw new Error("first event is not started");
          const canceled = await b.prompts.cancelStream({ streamId: started.value.streamId });
          expect(canceled.state).toBe(StreamState.CANCELED);
        }
      }
    })();
    const error = await reading.then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).toBe(Code.Canceled);
  });

  it("respects on B a cooldown decided on A", async () => {
    const route = ["fake:always-503", "fake:ok"];
    expect((await a.prompts.prompt({ prompt: "x", models: route })).model).toBe("fake:ok");
    const onB = await b.prompts.prompt({ prompt: "x", models: route });
    expect(onB.attempts[0]?.outcome).toBe(AttemptOutcome.SKIPPED_COOLING_DOWN);
    expect(upstream.requestsFor("always-503")).toHaveLength(3);
  });

  it("admits exactly N requests per window across both instances", async () => {
    const route = ["fake:limited", "fake:ok"];
    const answers = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        (i % 2 === 0 ? a : b).prompts.prompt({ prompt: `r${i}`, models: route }),
      ),
    );
    expect(answers.filter((answer) => answer.model === "fake:limited")).toHaveLength(5);
    expect(upstream.requestsFor("limited")).toHaveLength(5);
  });

  it("ends a reader on B with an explicit error within the lease time when A is killed mid-generation", async () => {
    const victim = await instance();
    const transport = createConnectTransport({ baseUrl: victim.process.url, httpVersion: "1.1" });
    const onVictim = createClient(PromptService, transport);
    let token = "";
    for await (const event of onVictim.streamPrompt({
      prompt: longPrompt,
      models: ["demo:echo"],
    })) {
      token = event.resumeToken;
      if (event.event.case === "delta") break;
    }
    await victim.process.kill("SIGKILL");
    const startedAt = Date.now();
    const error = await collect(b.prompts.streamPrompt({ resumeToken: token })).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.rawMessage).toMatch(/lease expired/);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it("finishes a generation on SIGTERM and keeps its events readable from the other instance", async () => {
    const draining = await instance();
    const transport = createConnectTransport({ baseUrl: draining.process.url, httpVersion: "1.1" });
    let token = "";
    for await (const event of createClient(PromptService, transport).streamPrompt({
      prompt: longPrompt,
      models: ["demo:echo"],
    })) {
      token = event.resumeToken;
      if (event.event.case === "delta") break;
    }
    const exit = draining.process.kill("SIGTERM");
    const rest = await collect(b.prompts.streamPrompt({ resumeToken: token }));
    expect(rest.at(-1)?.event.case).toBe("completed");
    expect(await exit).toBe(0);
  });

  it("answers UNAVAILABLE naming Valkey while it is down, and recovers on both instances after it restarts", async () => {
    await valkey.stop();
    const error = await a.prompts
      .prompt({ prompt: "while down", models: ["demo:echo"] })
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect((error as ConnectError).rawMessage).toMatch(/Valkey/);
    await valkey.restart();
    for (const instance of [a, b]) {
      await expect
        .poll(
          () =>
            instance.prompts.prompt({ prompt: "after restart", models: ["demo:echo"] }).then(
              (answer) => answer.model,
              (e: unknown) => ConnectError.from(e).code,
            ),
          { timeout: 10_000, interval: 200 },
        )
        .toBe("demo:echo");
    }
  });
});
