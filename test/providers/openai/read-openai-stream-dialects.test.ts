import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ChatEvent } from "../../../src/providers/chat-provider.js";
import { readOpenAiStream } from "../../../src/providers/openai/read-openai-stream.js";
import { parseSse } from "../../../src/providers/sse/parse-sse.js";
import {
  azureContentChunk,
  azurePromptFilterChunk,
  finishChunk,
  finishChunkWithUsage,
  roleChunk,
  sseData,
  usageChunk,
  usageOf,
} from "../../fakes/openai-fixtures.js";

const identity = { id: "chatcmpl-dialect", model: "gpt-4o", created: 1770933892 };
const silent = pino({ level: "silent" });

/** The bytes of an SSE body, delivered one byte per chunk: every split point is crossed. */
async function* oneByteAtATime(body: string): AsyncGenerator<Uint8Array> {
  for (const byte of new TextEncoder().encode(body)) yield Uint8Array.of(byte);
}

async function read(body: string): Promise<ChatEvent[]> {
  const seen: ChatEvent[] = [];
  const stream = readOpenAiStream(parseSse(oneByteAtATime(body)), {
    providerName: "dialect",
    log: silent,
  });
  for await (const event of stream) seen.push(event);
  return seen;
}

const body = (chunks: readonly unknown[]) => chunks.map(sseData).join("");

describe("readOpenAiStream on the dialects of OpenAI-compatible servers", () => {
  it("reads Azure's stream: the prompt filter chunk without choices, then annotated chunks", async () => {
    const seen = await read(
      body([
        azurePromptFilterChunk(),
        roleChunk(identity),
        azureContentChunk(identity, "Vert "),
        azureContentChunk(identity, "émeraude ✅"),
        finishChunk(identity, "stop"),
        usageChunk(identity, usageOf(12, 3)),
        "[DONE]",
      ]),
    );
    expect(seen).toEqual([
      { type: "delta", text: "Vert " },
      { type: "delta", text: "émeraude ✅" },
      { type: "finish", reason: "stop", usage: { inputTokens: 12, outputTokens: 3 } },
    ]);
  });

  it("finishes as content_filter when Azure stops an answer with that reason", async () => {
    const seen = await read(
      body([
        azurePromptFilterChunk(),
        azureContentChunk(identity, "Once"),
        finishChunk(identity, "content_filter"),
        "[DONE]",
      ]),
    );
    expect(seen.at(-1)).toEqual({ type: "finish", reason: "content_filter", usage: undefined });
  });

  it("takes the usage from a finish chunk that carries it (Mistral, Together, Cerebras)", async () => {
    const seen = await read(
      body([
        azureContentChunk(identity, "Blue"),
        finishChunkWithUsage(identity, "length", usageOf(7, 1), "usage"),
        "[DONE]",
      ]),
    );
    expect(seen.at(-1)).toEqual({
      type: "finish",
      reason: "length",
      usage: { inputTokens: 7, outputTokens: 1 },
    });
  });

  it("takes the usage from Groq's x_groq.usage", async () => {
    const seen = await read(
      body([
        azureContentChunk(identity, "Red"),
        finishChunkWithUsage(identity, "stop", usageOf(24, 6), "x_groq"),
        "[DONE]",
      ]),
    );
    expect(seen.at(-1)).toEqual({
      type: "finish",
      reason: "stop",
      usage: { inputTokens: 24, outputTokens: 6 },
    });
  });
});
