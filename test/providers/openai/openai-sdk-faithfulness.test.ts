import OpenAI, { AzureOpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAi, fakeAnswer, startFakeOpenAi } from "../../fakes/fake-openai-server.js";

/**
 * Points the official `openai` SDK at the fake: if the SDK parses the fake's answers and raises
 * its typed errors for the fake's error bodies, the fake speaks the real wire format, and tests
 * of the provider against the fake mean something.
 */

const messages = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Name a colour" },
] as const;

/** The usage the fake reports for `model`: prompt characters / 4, completion words. */
function expectedUsage(model: string) {
  const completionTokens = fakeAnswer(model, messages).split(" ").length;
  return {
    prompt_tokens: 6,
    completion_tokens: completionTokens,
    total_tokens: 6 + completionTokens,
  };
}

describe("the official openai SDK against the fake", () => {
  let fake: FakeOpenAi;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    client = new OpenAI({ apiKey: "sk-test", baseURL: fake.baseUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await fake.close();
  });

  it("parses a non-streamed chat completion with its usage", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [...messages],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.content).toBe(fakeAnswer("gpt-4o-mini", messages));
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject(expectedUsage("gpt-4o-mini"));
  });

  it("parses a streamed answer, its finish reason and the include_usage chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini:stream",
      messages: [...messages],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finishReason: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(fakeAnswer("gpt-4o-mini:stream", messages));
    expect(finishReason).toBe("stop");
    expect(usage).toMatchObject(expectedUsage("gpt-4o-mini:stream"));
  });

  it("raises RateLimitError for the fake's 429", async () => {
    const error = await client.chat.completions
      .create({ model: "always-429", messages: [...messages] })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
  });

  it("raises BadRequestError with code context_length_exceeded for the fake's 400", async () => {
    const error = await client.chat.completions
      .create({ model: "context-length", messages: [...messages], stream: true })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: "context_length_exceeded" });
  });

  describe("AzureOpenAI", () => {
    let azure: AzureOpenAI;

    beforeAll(() => {
      azure = new AzureOpenAI({
        apiKey: "azure-key",
        endpoint: fake.origin,
        apiVersion: "2024-10-21",
        deployment: "gpt-4o-deployment",
        maxRetries: 0,
      });
    });

    it("parses a non-streamed answer from the deployment path", async () => {
      const completion = await azure.chat.completions.create({
        model: "ignored-by-azure",
        messages: [...messages],
      });
      expect(completion.choices[0]?.message.content).toBe(
        fakeAnswer("gpt-4o-deployment", messages),
      );
      const [sent] = fake.requestsFor("gpt-4o-deployment");
      expect(sent?.path).toBe(
        "/openai/deployments/gpt-4o-deployment/chat/completions?api-version=2024-10-21",
      );
      expect(sent?.headers["api-key"]).toBe("azure-key");
    });

    it("parses a streamed answer with Azure's prompt filter chunk and usage", async () => {
      const stream = await azure.chat.completions.create({
        model: "ignored-by-azure",
        messages: [...messages],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      let chunks = 0;
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        chunks++;
        text += chunk.choices[0]?.delta.content ?? "";
        usage = chunk.usage ?? usage;
      }
      expect(chunks).toBeGreaterThan(3);
      expect(text).toBe(fakeAnswer("gpt-4o-deployment", messages));
      expect(usage).toMatchObject(expectedUsage("gpt-4o-deployment"));
    });

    it("raises AuthenticationError for Azure's 401 body", async () => {
      const unauthorized = new AzureOpenAI({
        apiKey: "wrong",
        endpoint: fake.origin,
        apiVersion: "2024-10-21",
        deployment: "azure-unauthorized",
        maxRetries: 0,
      });
      const error = await unauthorized.chat.completions
        .create({ model: "x", messages: [...messages] })
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error).toMatchObject({ status: 401, code: "401" });
    });
  });
});
