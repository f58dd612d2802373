import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  fakeAnthropicAnswer,
  startFakeAnthropic,
} from "../../fakes/anthropic/fake-anthropic-server.js";

/**
 * The official SDK pointed at the fake: it parses the fake's answers and errors as it parses
 * the real API's, which proves that the fake (and so the provider tests) speak the real wire
 * format.
 */
describe("the official @anthropic-ai/sdk against the fake Anthropic server", () => {
  let fake: FakeAnthropic;
  let client: Anthropic;
  const question = { role: "user" as const, content: "Name three colours" };

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: "sk-ant-sdk-test" });
    client = new Anthropic({ apiKey: "sk-ant-sdk-test", baseURL: fake.origin, maxRetries: 0 });
  });

  afterAll(async () => {
    await fake.close();
  });

  it("parses a non-streamed message", async () => {
    const message = await client.messages.create({
      model: "ok:sdk-unary",
      max_tokens: 256,
      system: "You are terse.",
      messages: [question],
    });
    expect(message.content).toEqual([
      { type: "text", text: fakeAnthropicAnswer("ok:sdk-unary", [question]) },
    ]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    // SDK 1.x sends its own API version (2026-10-21) and the key as a Bearer token.
    expect(fake.requestsFor("ok:sdk-unary")[0]?.headers.authorization).toBe(
      "Bearer sk-ant-sdk-test",
    );
  });

  it("accumulates a streamed message with messages.stream() and finalMessage()", async () => {
    const stream = client.messages.stream({
      model: "ok:sdk-stream",
      max_tokens: 256,
      messages: [question],
    });
    const texts: string[] = [];
    stream.on("text", (text) => texts.push(text));
    const message = await stream.finalMessage();
    const expected = fakeAnthropicAnswer("ok:sdk-stream", [question]);
    expect(texts.join("")).toBe(expected);
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: "text", text: expected });
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.input_tokens).toBeGreaterThan(0);
  });

  it("iterates the raw events of create({ stream: true }), thinking blocks included", async () => {
    const stream = await client.messages.create({
      model: "thinking:sdk-raw",
      max_tokens: 256,
      messages: [question],
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe("message_start");
    expect(types).toContain("content_block_delta");
    expect(types.at(-2)).toBe("message_delta");
    expect(types.at(-1)).toBe("message_stop");
  });

  it("raises RateLimitError with status 429 and the error type for a 429", async () => {
    const error = await client.messages
      .create({ model: "always-429:sdk", max_tokens: 16, messages: [question] })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error).toMatchObject({
      status: 429,
      type: "rate_limit_error",
      requestID: expect.stringMatching(/^req_fake/),
    });
  });

  it("raises an APIError of type overloaded_error for an error event mid-stream", async () => {
    const stream = client.messages.stream({
      model: "error-event-mid-stream:sdk",
      max_tokens: 256,
      messages: [question],
    });
    const error = await stream.finalMessage().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ type: "overloaded_error" });
  });

  it("raises AuthenticationError for a wrong key and BadRequestError for a trailing-whitespace prefill", async () => {
    const wrongKey = new Anthropic({ apiKey: "sk-ant-wrong", baseURL: fake.origin, maxRetries: 0 });
    await expect(
      wrongKey.messages.create({ model: "ok", max_tokens: 16, messages: [question] }),
    ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const badPrefill = await client.messages
      .create({
        model: "ok:sdk-prefill",
        max_tokens: 16,
        messages: [question, { role: "assistant", content: "Red, " }],
      })
      .catch((thrown: unknown) => thrown);
    expect(badPrefill).toBeInstanceOf(Anthropic.BadRequestError);
    expect(badPrefill).toMatchObject({ status: 400, type: "invalid_request_error" });
  });
});
