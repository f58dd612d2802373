import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { createHandlerContext } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  PromptService,
  StreamPromptRequestSchema,
  type StreamPromptResponse,
} from "../../gen/switchboard/v1/prompt_service_pb.js";
import { createEngine, type Engine } from "../../src/engine/create-engine.js";
import { defaultOwner } from "../../src/engine/prompt-input.js";
import { createProviders } from "../../src/providers/create-provider.js";
import { createPromptService } from "../../src/services/prompt-service.js";
import { createStorage } from "../../src/storage/create-storage.js";
import type { Storage } from "../../src/storage/storage.js";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import { testConfig } from "../support/test-config.js";

/*
 * Whether a client got an event is known only to the transport: connect-node asks the handler
 * for the next message once it has written the previous one, and ends the handler at its
 * `yield` when the write fails or the call is aborted. These tests play that transport over the
 * real engine, storage and a fake upstream on a real socket, so that they can leave at exactly
 * the moment a real client cannot be made to: after `started` was produced, before it was
 * written.
 */

const log = pino({ level: "silent" });
/** Headers at once, then 5 s of silence before the first token: still silent when we leave. */
const SILENT_MODEL = "slow-first-token-5000";
/** Its first token comes after 300 ms. */
const SLOW_MODEL = "slow-first-token-300";

describe("StreamPrompt whose client leaves before its first event", () => {
  let upstream: FakeOpenAi;
  let engine: Engine;
  let storage: Storage;
  let closeAll: () => Promise<void>;

  beforeAll(async () => {
    upstream = await startFakeOpenAi();
  });
  afterAll(() => upstream.close());

  beforeEach(async () => {
    const config = testConfig({
      providers: {
        fake: { type: "openai-compatible", baseUrl: upstream.baseUrl, apiKey: "sk-test" },
      },
      models: [`fake:${SILENT_MODEL}`, `fake:${SLOW_MODEL}`],
      timeouts: { firstTokenMs: 10_000, stallMs: 10_000 },
    });
    storage = await createStorage(config, { log });
    const providers = createProviders(config.providers, log);
    engine = createEngine({ config, providers, storage, log });
    closeAll = async () => {
      await engine.drain(0);
      await Promise.all([...providers.values()].map((provider) => provider.close()));
      await storage.close();
    };
  });
  afterEach(async () => {
    await closeAll();
    upstream.reset();
  });

  /** Starts the RPC as the transport does; `leave` is the client going away. */
  function call(request: MessageInitShape<typeof StreamPromptRequestSchema>) {
    const client = new AbortController();
    const context = createHandlerContext({
      service: PromptService,
      method: PromptService.method.streamPrompt,
      protocolName: "connect",
      requestMethod: "POST",
      url: "http://127.0.0.1/switchboard.v1.PromptService/StreamPrompt",
      requestSignal: client.signal,
    });
    const responses = createPromptService(engine)
      .streamPrompt(create(StreamPromptRequestSchema, request), context)
      [Symbol.asyncIterator]();
    return {
      next: async (): Promise<StreamPromptResponse> => {
        const result = await responses.next();
        if (result.done === true) throw new Error("the stream ended");
        return create(PromptService.method.streamPrompt.output, result.value);
      },
      /** The connection closes: the call is aborted and the transport ends the handler. */
      leave: async () => {
        client.abort();
        await responses.return?.(undefined);
      },
    };
  }

  function startedOf(response: StreamPromptResponse) {
    if (response.event.case !== "started") throw new Error("the first event is not started");
    return response.event.value;
  }

  it("aborts the upstream request and keeps no turn nor session when the new session's client leaves before its first event is written", async () => {
    const rpc = call({ prompt: "anyone there?", models: [`fake:${SILENT_MODEL}`] });
    // `started` is produced and handed to the transport, which never gets to write it.
    const { sessionId, streamId } = startedOf(await rpc.next());
    await upstream.waitForRequests(1, SILENT_MODEL);
    await rpc.leave();
    const [upstreamRequest] = upstream.requestsFor(SILENT_MODEL);
    await expect(upstreamRequest?.closed).resolves.toBe("closed-early");
    await expect
      .poll(async () => storage.sessions.getSession(defaultOwner, sessionId), { timeout: 5_000 })
      .toBeUndefined();
    expect(await storage.streams.getStream(streamId)).toBeUndefined();
    const listed = await storage.sessions.listSessions(defaultOwner, {
      pageSize: 0,
      pageToken: "",
    });
    expect(listed.items).toEqual([]);
  });

  it("keeps the generation running when the client leaves after its first event was written", async () => {
    const rpc = call({ prompt: "still there?", models: [`fake:${SLOW_MODEL}`] });
    const { sessionId, streamId } = startedOf(await rpc.next());
    // Asking for the next message means `started` was written: the client holds a token.
    expect((await rpc.next()).event.case).toBe("delta");
    await rpc.leave();
    await expect
      .poll(
        async () => (await storage.sessions.getSession(defaultOwner, sessionId))?.messageCount,
        {
          timeout: 5_000,
        },
      )
      .toBe(2);
    expect((await storage.streams.getStream(streamId))?.state).toBe("completed");
    await expect(upstream.requestsFor(SLOW_MODEL)[0]?.closed).resolves.toBe("finished");
  });

  it("keeps the generation running when the client of a named session leaves before its first event", async () => {
    const session = await engine.sessions.create(defaultOwner, {
      system: "",
      title: "",
      metadata: {},
    });
    const rpc = call({
      prompt: "for the record",
      sessionId: session.id,
      models: [`fake:${SLOW_MODEL}`],
    });
    const { streamId } = startedOf(await rpc.next());
    await rpc.leave();
    // The client can find the stream again with resume_latest: it runs on and is stored.
    await expect
      .poll(async () => (await storage.streams.getStream(streamId))?.state, { timeout: 5_000 })
      .toBe("completed");
    expect((await storage.sessions.getSession(defaultOwner, session.id))?.messageCount).toBe(2);
    await expect(upstream.requestsFor(SLOW_MODEL)[0]?.closed).resolves.toBe("finished");
  });
});
