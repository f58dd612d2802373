import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ChatEvent } from "../../../src/providers/chat-provider.js";
import {
  type GeminiStreamEnd,
  readGeminiStream,
} from "../../../src/providers/gemini/read-gemini-stream.js";
import { ProviderError } from "../../../src/providers/provider-error.js";
import { parseSse } from "../../../src/providers/sse/parse-sse.js";
import type { SseEvent } from "../../../src/providers/sse/sse-parser.js";
import { readGeminiFixture } from "../../fakes/gemini/gemini-fixtures.js";

const silent = pino({ level: "silent" });
const fixture = new TextEncoder().encode(readGeminiFixture("streamed-answer.sse"));
const fixtureText = "La capitale de la France est Paris — à côté de la Seine 🗼.";

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

async function readAll(
  events: AsyncIterable<readonly SseEvent[]>,
  options: { finishGraceMs?: number; onComplete?: (end: GeminiStreamEnd) => void } = {},
) {
  const out: ChatEvent[] = [];
  for await (const event of readGeminiStream(events, {
    providerName: "google",
    log: silent,
    ...options,
  })) {
    out.push(event);
  }
  const text = out.map((event) => (event.type === "delta" ? event.text : "")).join("");
  return { events: out, text, finish: out.at(-1) };
}

function sse(...responses: unknown[]): Uint8Array {
  const text = responses
    .map(
      (response) =>
        `data: ${typeof response === "string" ? response : JSON.stringify(response)}\r\n\r\n`,
    )
    .join("");
  return new TextEncoder().encode(text);
}

const textChunk = (text: string, extra: Record<string, unknown> = {}) => ({
  candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0, ...extra }],
});

describe("readGeminiStream", () => {
  it("reads the recorded CRLF stream identically at every split point", async () => {
    for (let split = 0; split <= fixture.length; split++) {
      const { text, finish } = await readAll(
        parseSse(chunks(fixture.subarray(0, split), fixture.subarray(split))),
      );
      expect(text, `split at byte ${split}`).toBe(fixtureText);
      expect(finish).toEqual({
        type: "finish",
        reason: "stop",
        usage: { inputTokens: 9, outputTokens: 17 },
      });
    }
  });

  it("reads the recorded stream delivered one byte at a time", async () => {
    const bytes = Array.from(fixture, (byte) => Uint8Array.of(byte));
    const { text, events } = await readAll(parseSse(chunks(...bytes)));
    expect(text).toBe(fixtureText);
    expect(events.filter((event) => event.type === "delta")).toHaveLength(3);
  });

  it("skips thought parts and empty texts", async () => {
    const { events } = await readAll(
      parseSse(
        chunks(
          sse(
            {
              candidates: [{ content: { parts: [{ text: "hmm", thought: true }, { text: "" }] } }],
            },
            textChunk("Red.", { finishReason: "STOP" }),
          ),
        ),
      ),
    );
    expect(events).toEqual([
      { type: "delta", text: "Red." },
      { type: "finish", reason: "stop", usage: undefined },
    ]);
  });

  it("finishes a blocked prompt with content_filter and no text", async () => {
    const blocked = JSON.parse(readGeminiFixture("prompt-blocked.json")) as unknown;
    const { events } = await readAll(parseSse(chunks(sse(blocked))));
    expect(events).toEqual([
      { type: "finish", reason: "content_filter", usage: { inputTokens: 12, outputTokens: 0 } },
    ]);
  });

  it("finishes at once when the finish reason comes with usage, without awaiting the body end", async () => {
    const ends: GeminiStreamEnd[] = [];
    async function* neverEnding(): AsyncGenerator<Uint8Array> {
      yield sse(textChunk("Hi.", { finishReason: "MAX_TOKENS" }));
      yield sse({
        ...textChunk("Hi."),
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1 },
      });
      await new Promise(() => undefined);
    }
    const { finish } = await readAll(parseSse(neverEnding()), {
      onComplete: (end) => ends.push(end),
    });
    expect(finish).toEqual({
      type: "finish",
      reason: "length",
      usage: { inputTokens: 3, outputTokens: 1 },
    });
    expect(ends).toEqual(["usage"]);
  });

  it("finishes after the grace time when nothing follows a finish reason without usage", async () => {
    const ends: GeminiStreamEnd[] = [];
    async function* held(): AsyncGenerator<Uint8Array> {
      yield sse(textChunk("Hi.", { finishReason: "STOP" }));
      await new Promise(() => undefined);
    }
    const { finish } = await readAll(parseSse(held()), {
      finishGraceMs: 50,
      onComplete: (end) => ends.push(end),
    });
    expect(finish).toEqual({ type: "finish", reason: "stop", usage: undefined });
    expect(ends).toEqual(["grace_timeout"]);
  });

  it("fails as interrupted when the body ends without a finish reason", async () => {
    const reading = readAll(parseSse(chunks(sse(textChunk("Hi")))));
    await expect(reading).rejects.toMatchObject({ kind: "interrupted" });
  });

  it("fails as interrupted with Google's message for an in-stream error", async () => {
    const error = JSON.parse(readGeminiFixture("error-internal.json")) as unknown;
    const reading = readAll(parseSse(chunks(sse(textChunk("Hi"), error))));
    await expect(reading).rejects.toMatchObject({
      kind: "interrupted",
      message: expect.stringMatching(/^google: stream error: An internal error/),
    });
  });

  it("skips up to three malformed events and fails as malformed on the fourth", async () => {
    const done = textChunk(".", { finishReason: "STOP" });
    const three = await readAll(parseSse(chunks(sse("{x", "[1]", "nope", done))));
    expect(three.finish).toMatchObject({ type: "finish", reason: "stop" });
    const four = readAll(parseSse(chunks(sse("{x", "{y", "{z", "{w", done))));
    await expect(four).rejects.toBeInstanceOf(ProviderError);
    await expect(four).rejects.toMatchObject({ kind: "malformed" });
  });
});
