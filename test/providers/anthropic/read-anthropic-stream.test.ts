import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import {
  type AnthropicStreamEnd,
  readAnthropicStream,
} from "../../../src/providers/anthropic/read-anthropic-stream.js";
import type { ChatEvent } from "../../../src/providers/chat-provider.js";
import { ProviderError } from "../../../src/providers/provider-error.js";
import { parseSse } from "../../../src/providers/sse/parse-sse.js";
import type { SseEvent } from "../../../src/providers/sse/sse-parser.js";
import {
  contentBlockStart,
  contentBlockStop,
  messageDelta,
  messageStart,
  messageStop,
  ping,
  readAnthropicFixture,
  sseEvent,
  textDelta,
  thinkingBlock,
  usageOf,
} from "../../fakes/anthropic/anthropic-fixtures.js";

const RECORDED_TEXT = "Bonjour! Un café\u00a0☕ et un 🚀\nnaïve?";
const identity = { id: "msg_test", model: "claude-test" };
const start = sseEvent(messageStart(identity, usageOf(10, 1)));
const text = (value: string) => sseEvent(textDelta(0, value));
const stop = (reason = "end_turn", output = 4) => sseEvent(messageDelta(reason, output));
const end = sseEvent(messageStop());

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

/** The body as byte chunks, then (unless `hang`) its end. */
async function* body(chunks: readonly Uint8Array[], options: { hang?: boolean } = {}) {
  for (const chunk of chunks) yield chunk;
  if (options.hang === true) await new Promise(() => {});
}

function bytesOf(...events: string[]): Uint8Array[] {
  return [new TextEncoder().encode(events.join(""))];
}

async function read(source: AsyncIterable<readonly SseEvent[]>, stopGraceMs = 1000) {
  const { log, lines } = capturingLogger();
  const seen: ChatEvent[] = [];
  let how: AnthropicStreamEnd | undefined;
  const stream = readAnthropicStream(source, {
    providerName: "claude",
    log,
    stopGraceMs,
    onComplete: (value) => {
      how = value;
    },
  });
  for await (const event of stream) seen.push(event);
  return { seen, end: how, lines };
}

async function failure(source: AsyncIterable<readonly SseEvent[]>): Promise<ProviderError> {
  const error = await read(source).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${error}`);
  return error;
}

describe("readAnthropicStream", () => {
  const recorded = new TextEncoder().encode(readAnthropicFixture("streamed-answer.sse"));
  const expectedFinish = {
    type: "finish",
    reason: "stop",
    usage: { inputTokens: 136, outputTokens: 12 },
  };

  it("yields the recorded stream's text as deltas, then finish with cache-inclusive usage", async () => {
    const { seen, end: how } = await read(parseSse(body([recorded])));
    const deltas = seen.filter((event) => event.type === "delta");
    expect(deltas.map((event) => event.text).join("")).toBe(RECORDED_TEXT);
    expect(deltas.every((event) => event.text !== "")).toBe(true);
    expect(seen.at(-1)).toEqual(expectedFinish);
    expect(how).toBe("message_stop");
  });

  it("reads the same answer whatever byte the body is split at", async () => {
    for (let split = 1; split < recorded.length; split++) {
      const chunks = [recorded.subarray(0, split), recorded.subarray(split)];
      const { seen } = await read(parseSse(body(chunks)));
      const joined = seen.map((event) => (event.type === "delta" ? event.text : "")).join("");
      expect(joined, `split at byte ${split}`).toBe(RECORDED_TEXT);
      expect(seen.at(-1), `split at byte ${split}`).toEqual(expectedFinish);
    }
  });

  it("reads the same answer from one-byte chunks", async () => {
    const chunks = Array.from(recorded, (byte) => Uint8Array.of(byte));
    const { seen } = await read(parseSse(body(chunks)));
    expect(seen.at(-1)).toEqual(expectedFinish);
  });

  it("ignores pings, thinking and signature deltas, and event types it does not know", async () => {
    const thinking = thinkingBlock(0).map((event) => sseEvent(event));
    const future = sseEvent({ type: "content_block_preview", index: 1 });
    const { seen } = await read(
      parseSse(
        body(
          bytesOf(
            start,
            ...thinking,
            sseEvent(contentBlockStop(0)),
            sseEvent(contentBlockStart(1)),
            sseEvent(ping()),
            future,
            sseEvent(textDelta(1, "Hi")),
            stop(),
            end,
          ),
        ),
      ),
    );
    expect(seen).toEqual([
      { type: "delta", text: "Hi" },
      { type: "finish", reason: "stop", usage: { inputTokens: 10, outputTokens: 4 } },
    ]);
  });

  it("takes the input count of message_delta when it repeats it, and the last output count", async () => {
    const delta = (input: number, output: number) =>
      sseEvent({
        type: "message_delta",
        delta: { stop_reason: null },
        usage: { input_tokens: input, output_tokens: output },
      });
    const { seen } = await read(
      parseSse(body(bytesOf(start, text("a"), delta(12, 2), stop("max_tokens", 9), end))),
    );
    expect(seen.at(-1)).toEqual({
      type: "finish",
      reason: "length",
      usage: { inputTokens: 12, outputTokens: 9 },
    });
  });

  it("finishes at the end of the body, or within the grace time, after the stop reason", async () => {
    const ended = await read(parseSse(body(bytesOf(start, text("a"), stop()))));
    expect(ended.end).toBe("body_end");
    const startedMs = Date.now();
    const held = await read(parseSse(body(bytesOf(start, text("a"), stop()), { hang: true })), 50);
    expect(held.end).toBe("stop_timeout");
    expect(held.seen.at(-1)).toMatchObject({ type: "finish", reason: "stop" });
    expect(Date.now() - startedMs).toBeLessThan(1000);
  });

  it("fails as interrupted when the stream ends or stops without a stop reason", async () => {
    const ended = await failure(parseSse(body(bytesOf(start, text("partial")))));
    expect(ended.kind).toBe("interrupted");
    expect(ended.message).toBe("claude: the answer stream ended before its stop reason");
    const stopped = await failure(parseSse(body(bytesOf(start, text("partial"), end))));
    expect(stopped.message).toBe(
      "claude: the answer stream sent message_stop before its stop reason",
    );
  });

  it("throws the classified error of an error event after some text", async () => {
    const error = await failure(
      parseSse(
        body(
          bytesOf(
            start,
            text("a"),
            `event: error\ndata: ${readAnthropicFixture("stream-error-overloaded.json")}\n`,
          ),
        ),
      ),
    );
    expect(error.kind).toBe("overloaded");
    expect(error.message).toBe("claude: stream error overloaded_error: Overloaded");
  });

  it("skips malformed events with a warning, and fails as malformed after more than three", async () => {
    const bad = sseEvent("{not json", "content_block_delta");
    const skipped = await read(parseSse(body(bytesOf(start, bad, text("ok"), stop(), end))));
    expect(skipped.seen[0]).toEqual({ type: "delta", text: "ok" });
    expect(skipped.lines.filter((line) => line.level === 40)).toEqual([
      expect.objectContaining({
        malformedEvents: 1,
        msg: "skipped a malformed upstream stream event",
      }),
    ]);
    const error = await failure(parseSse(body(bytesOf(start, bad, bad, bad, bad, stop(), end))));
    expect(error.kind).toBe("malformed");
  });
});
