import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAiChatChunkSchema } from "../../src/providers/openai/openai-wire-schema.js";
import { type FakeOpenAi, fakeAnswer, startFakeOpenAi } from "../fakes/fake-openai-server.js";

const messages = [{ role: "user", content: "Say hello" }];

describe("startFakeOpenAi", () => {
  let fake: FakeOpenAi;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });

  afterAll(async () => {
    await fake.close();
  });

  function post(model: string, body: Record<string, unknown> = {}, path = "/chat/completions") {
    return fetch(`${fake.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, messages, ...body }),
    });
  }

  it("answers a non-streamed request with a chat.completion object", async () => {
    const response = await post("gpt-4o-mini");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      object: "chat.completion",
      model: "gpt-4o-mini",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: fakeAnswer("gpt-4o-mini", messages) },
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
    });
  });

  it("streams chat.completion.chunk events, the usage chunk only when asked, then [DONE]", async () => {
    const withUsage = await (
      await post("ok", { stream: true, stream_options: { include_usage: true } })
    ).text();
    const without = await (await post("ok", { stream: true })).text();
    const datas = withUsage
      .split("\n\n")
      .filter(Boolean)
      .map((event) => event.replace(/^data: /, ""));
    expect(datas.at(-1)).toBe("[DONE]");
    const chunks = datas.slice(0, -1).map((data) => openAiChatChunkSchema.parse(JSON.parse(data)));
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 3 } });
    expect(chunks.at(-2)?.choices?.[0]?.finish_reason).toBe("stop");
    expect(without).not.toContain("prompt_tokens");
  });

  it("fails the first request of a fail-once model name only, counting per name", async () => {
    expect((await post("fail-once-500:a")).status).toBe(500);
    expect((await post("fail-once-500:b")).status).toBe(500);
    expect((await post("fail-once-500:a")).status).toBe(200);
  });

  it("is down for the first n requests of down-until-n", async () => {
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await post("down-until-2")).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it("lets a test make a model fail and recover", async () => {
    fake.setFault("gpt-x", "always-503");
    expect((await post("gpt-x")).status).toBe(503);
    fake.setHealthy("gpt-x");
    expect((await post("gpt-x")).status).toBe(200);
  });

  it("restores the fault a model name implies when its override is removed", async () => {
    fake.setFault("fail-once-500:override", "ok");
    expect((await post("fail-once-500:override")).status).toBe(200);
    fake.setFault("fail-once-500:override", undefined);
    expect((await post("fail-once-500:override")).status).toBe(500);
  });

  it("forgets requests and counters on reset", async () => {
    expect((await post("fail-once-500:reset")).status).toBe(500);
    fake.reset();
    expect(fake.requests).toHaveLength(0);
    expect((await post("fail-once-500:reset")).status).toBe(500);
    expect(fake.requestsFor("fail-once-500:reset")).toHaveLength(1);
  });

  it("records every request with its model, path, headers and arrival time", async () => {
    const before = Date.now();
    await post("ok:recorded");
    await fake.waitForRequests(1, "ok:recorded");
    const [recorded] = fake.requestsFor("ok:recorded");
    expect(recorded).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      model: "ok:recorded",
    });
    expect(recorded?.headers["content-type"]).toBe("application/json");
    expect(recorded?.receivedAtMs).toBeGreaterThanOrEqual(before);
    expect(await recorded?.closed).toBe("finished");
  });

  it("serves Azure deployment paths: 404 without api-version, 401 without a key, else the deployment", async () => {
    const azure = (query: string, headers: Record<string, string>) =>
      fetch(`${fake.origin}/openai/deployments/my%20deployment/chat/completions${query}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ messages }),
      });
    const missingVersion = await azure("", { "api-key": "k" });
    expect(missingVersion.status).toBe(404);
    expect(await missingVersion.json()).toEqual({
      error: { code: "404", message: "Resource not found" },
    });
    const keyless = await azure("?api-version=2024-10-21", {});
    expect(keyless.status).toBe(401);
    expect(await keyless.json()).toHaveProperty("error.code", "401");
    const answered = await azure("?api-version=2024-10-21", { "api-key": "k" });
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({
      choices: [{ message: { content: fakeAnswer("my deployment", messages) } }],
    });
    expect(fake.requestsFor("my deployment")).toHaveLength(3);
  });

  it("accepts any path prefix before /chat/completions", async () => {
    const response = await fetch(`${fake.origin}/openai/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "ok:prefix", messages }),
    });
    expect(response.status).toBe(200);
    expect(fake.requestsFor("ok:prefix")[0]?.path).toBe("/openai/v1/chat/completions");
  });

  it("answers 404 with an error body for another path", async () => {
    const response = await post("ok", {}, "/completions");
    expect(response.status).toBe(404);
    expect(await response.json()).toHaveProperty("error.type", "invalid_request_error");
  });
});
