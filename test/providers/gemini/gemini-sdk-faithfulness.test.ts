import { ApiError, FinishReason, GoogleGenAI } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAKE_GEMINI_API_KEY,
  FAKE_THOUGHT,
  type FakeGemini,
  fakeGeminiAnswer,
  startFakeGemini,
} from "../../fakes/gemini/fake-gemini-server.js";

/**
 * Points Google's official SDK (`@google/genai`) at the fake: if the SDK parses the fake's
 * answers and errors, the fake speaks the real wire format, and the provider tests that run
 * against it mean something.
 */
describe("the @google/genai SDK against the fake Gemini API", () => {
  let fake: FakeGemini;
  const sdk = (apiKey = FAKE_GEMINI_API_KEY) =>
    // No retries: an error must reach the test as the SDK's own ApiError, at once.
    new GoogleGenAI({
      apiKey,
      httpOptions: { baseUrl: fake.origin, retryOptions: { attempts: 1 } },
    });
  const contents = [{ role: "user", parts: [{ text: "Name three colours" }] }];
  const config = { systemInstruction: "You are terse.", temperature: 0.2 };

  beforeAll(async () => {
    fake = await startFakeGemini();
  });

  afterAll(async () => {
    await fake.close();
  });

  it("parses a non-streamed answer with its finish reason and usage", async () => {
    const response = await sdk().models.generateContent({ model: "ok", contents, config });
    expect(response.text).toBe(
      fakeGeminiAnswer("ok", [{ role: "user", text: "Name three colours" }]),
    );
    expect(response.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
    expect(response.usageMetadata?.candidatesTokenCount).toBe(response.text?.split(" ").length);
    const [sent] = fake.requestsFor("ok");
    expect(sent?.path).toBe("/v1beta/models/ok:generateContent");
    expect(sent?.headers["x-goog-api-key"]).toBe(FAKE_GEMINI_API_KEY);
    expect(sent?.body).toMatchObject({
      contents,
      systemInstruction: { parts: [{ text: "You are terse." }] },
      generationConfig: { temperature: 0.2 },
    });
  });

  it("parses a streamed answer chunk by chunk, CRLF events included", async () => {
    const stream = await sdk().models.generateContentStream({
      model: "ok:stream",
      contents,
      config,
    });
    const texts: string[] = [];
    let finishReason: string | undefined;
    let outputTokens: number | undefined;
    for await (const chunk of stream) {
      texts.push(chunk.text ?? "");
      finishReason = chunk.candidates?.[0]?.finishReason ?? finishReason;
      outputTokens = chunk.usageMetadata?.candidatesTokenCount;
    }
    const answer = fakeGeminiAnswer("ok:stream", [{ role: "user", text: "Name three colours" }]);
    expect(texts.length).toBeGreaterThanOrEqual(3);
    expect(texts.join("")).toBe(answer);
    expect(finishReason).toBe(FinishReason.STOP);
    expect(outputTokens).toBe(answer.split(" ").length);
    expect(fake.requestsFor("ok:stream")[0]?.path).toBe(
      "/v1beta/models/ok:stream:streamGenerateContent?alt=sse",
    );
  });

  it("reads thought parts as thoughts, apart from the answer text", async () => {
    const stream = await sdk().models.generateContentStream({ model: "thoughts", contents });
    const thoughts: string[] = [];
    for await (const chunk of stream) {
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (part.thought === true && part.text !== undefined) thoughts.push(part.text);
      }
    }
    expect(thoughts).toEqual([FAKE_THOUGHT]);
  });

  it("reads a blocked prompt's promptFeedback", async () => {
    const response = await sdk().models.generateContent({ model: "safety-block", contents });
    expect(response.candidates).toBeUndefined();
    expect(response.promptFeedback?.blockReason).toBe("SAFETY");
  });

  it("raises ApiError 400 with API_KEY_INVALID for a wrong key", async () => {
    const error = await sdk("wrong-key")
      .models.generateContent({ model: "ok:wrong-key", contents })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain("API_KEY_INVALID");
  });

  it("raises ApiError 429 with RetryInfo from a streamed request", async () => {
    const error = await sdk()
      .models.generateContentStream({ model: "rate-limited-retry-after-7", contents })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    expect((error as ApiError).message).toContain('"retryDelay":"7s"');
  });
});
