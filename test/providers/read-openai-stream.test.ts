import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ChatEvent } from "../../src/providers/chat-provider.js";
import {
  type OpenAiStreamEnd,
  readOpenAiStream,
} from "../../src/providers/openai/read-openai-stream.js";
import { ProviderError } from "../../src/providers/provider-error.js";
import { parseSse } from "../../src/providers/sse/parse-sse.js";
import type { SseEvent } from "../../src/providers/sse/sse-parser.js";
import {
  contentChunk,
  finishChunk,
  readOpenAiFixture,
  roleChunk,
  usageChunk,
  usageOf,
} from "../fakes/openai-fixtures.js";

const identity = { id: "chatcmpl-test", model: "gpt-test", created: 1770933892 };
const role = JSON.stringify(roleChunk(identity));
const content = (text: string) => JSON.stringify(contentChunk(identity, text));
const finish = (reason = "stop") => JSON.stringify(finishChunk(identity, reason));
const usage = (input: number, output: number) =>
  JSON.stringify(usageChunk(identity, usageOf(input, output)));

/** A logger that keeps its JSON lines. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString("utf8")));
      callback();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines };
}

/** SSE events with these data, then (unless `hang`) the end of the stream. */
async function* events(datas: readonly string[], options: { hang?: boolean } = {}) {
  for (const data of datas) {
    yield [{ event: "message", data, id: "", retry: undefined } satisfies SseEvent];
  }
  if (options.hang === true) await new Promise(() => {});
}

async function read(source: AsyncIterable<readonly SseEvent[]>, usageGraceMs = 1000) {
  const { log, lines } = capturingLogger();
  const seen: ChatEvent[] = [];
  let end: OpenAiStreamEnd | undefined;
  const stream = readOpenAiStream(source, {
    providerName: "openai",
    log,
    usageGraceMs,
    onComplete: (how) => {
      end = how;
    },
  });
  for await (const event of stream) seen.push(event);
  return { seen, end, lines };
}

async function failure(source: AsyncIterable<readonly SseEvent[]>): Promise<ProviderError> {
  const error = await read(source).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${error}`);
  return error;
}

describe("readOpenAiStream", () => {
  it("yields the recorded stream's text as deltas, then finish with usage", async () => {
    const bytes = new TextEncoder().encode(readOpenAiFixture("streamed-answer.sse"));
    async function* body() {
      yield bytes;
    }
    const { seen, end } = await read(parseSse(body()));
    const deltas = seen.filter((event) => event.type === "delta");
    expect(deltas.map((event) => event.text).join("")).toBe(
      "Bonjour! Un café\u00a0☕ et un 🚀\nnaïve?",
    );
    expect(deltas.every((event) => event.text !== "")).toBe(true);
    expect(seen.at(-1)).toEqual({
      type: "finish",
      reason: "stop",
      usage: { inputTokens: 16, outputTokens: 6 },
    });
    expect(end).toBe("usage");
  });

  it("finishes as soon as finish reason and usage are known, without waiting for [DONE]", async () => {
    const { seen, end } = await read(
      events([role, content("Hi"), finish("length"), usage(3, 1)], { hang: true }),
    );
    expect(seen).toEqual([
      { type: "delta", text: "Hi" },
      { type: "finish", reason: "length", usage: { inputTokens: 3, outputTokens: 1 } },
    ]);
    expect(end).toBe("usage");
  });

  it("finishes without usage at [DONE] or at the end of the body after the finish reason", async () => {
    const done = await read(events([content("a"), finish(), "[DONE]"]));
    expect(done.seen.at(-1)).toEqual({ type: "finish", reason: "stop", usage: undefined });
    expect(done.end).toBe("done");
    const ended = await read(events([content("a"), finish()]));
    expect(ended.end).toBe("body_end");
  });

  it("finishes within the grace time when the usage never follows the finish reason", async () => {
    const startedMs = Date.now();
    const { seen, end } = await read(events([content("a"), finish()], { hang: true }), 50);
    expect(seen.at(-1)).toEqual({ type: "finish", reason: "stop", usage: undefined });
    expect(end).toBe("usage_timeout");
    expect(Date.now() - startedMs).toBeLessThan(1000);
  });

  it("uses usage sent before the finish reason only when none follows it", async () => {
    const early = await read(events([usage(1, 1), content("a"), usage(2, 2), finish(), "[DONE]"]));
    expect(early.seen.at(-1)).toMatchObject({ usage: { inputTokens: 2, outputTokens: 2 } });
    const later = await read(events([usage(2, 2), finish(), usage(9, 9)], { hang: true }));
    expect(later.seen.at(-1)).toMatchObject({ usage: { inputTokens: 9, outputTokens: 9 } });
  });

  it("fails as interrupted when the stream ends or sends [DONE] without a finish reason", async () => {
    const ended = await failure(events([role, content("partial")]));
    expect(ended.kind).toBe("interrupted");
    expect(ended.message).toBe("openai: the answer stream ended before its finish reason");
    const done = await failure(events([content("partial"), "[DONE]"]));
    expect(done.kind).toBe("interrupted");
  });

  it("fails as interrupted with the provider's message when the stream carries an error", async () => {
    const error = await failure(
      events([content("a"), readOpenAiFixture("error-server-error.json")]),
    );
    expect(error.kind).toBe("interrupted");
    expect(error.message).toContain("The server had an error");
  });

  it("skips a malformed chunk and logs the running count at warn, without the chunk", async () => {
    const { seen, lines } = await read(
      events([
        content("a"),
        "{not json",
        '{"choices":"nope"}',
        content("b"),
        finish(),
        usage(1, 2),
      ]),
    );
    expect(seen.map((event) => (event.type === "delta" ? event.text : event.type))).toEqual([
      "a",
      "b",
      "finish",
    ]);
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings.map((line) => line.malformedChunks)).toEqual([1, 2]);
    expect(JSON.stringify(warnings)).not.toContain("not json");
  });

  it("fails as malformed after more than 3 malformed chunks", async () => {
    const error = await failure(events([content("a"), "{", "{", "{", "{", finish()]));
    expect(error.kind).toBe("malformed");
  });

  it("fails as interrupted when malformed chunks are followed by the end of the stream", async () => {
    const error = await failure(events([content("a"), "{"]));
    expect(error.kind).toBe("interrupted");
  });
});
