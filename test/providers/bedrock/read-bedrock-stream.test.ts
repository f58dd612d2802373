import type { ConverseStreamOutput } from "@aws-sdk/client-bedrock-runtime";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { readBedrockStream } from "../../../src/providers/bedrock/read-bedrock-stream.js";
import type { ChatEvent } from "../../../src/providers/chat-provider.js";
import { ProviderError } from "../../../src/providers/provider-error.js";

const log = pino({ level: "silent" });

async function* source(events: readonly ConverseStreamOutput[]) {
  yield* events;
}

async function read(events: readonly ConverseStreamOutput[]): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  const iterator = source(events)[Symbol.asyncIterator]();
  for await (const event of readBedrockStream(iterator, { providerName: "bedrock", log })) {
    out.push(event);
  }
  return out;
}

const delta = (text: string): ConverseStreamOutput => ({
  contentBlockDelta: { contentBlockIndex: 0, delta: { text } },
});
const start: ConverseStreamOutput = { messageStart: { role: "assistant" } };
const stop = (stopReason: string): ConverseStreamOutput =>
  ({ messageStop: { stopReason } }) as ConverseStreamOutput;
const usage: ConverseStreamOutput = {
  metadata: {
    usage: { inputTokens: 17, outputTokens: 8, totalTokens: 25 },
    metrics: { latencyMs: 400 },
  },
};

describe("readBedrockStream", () => {
  it("yields the text deltas, then one finish with the stop reason and usage", async () => {
    const events = await read([
      start,
      delta("Red, "),
      delta(""),
      delta("orange."),
      { contentBlockStop: { contentBlockIndex: 0 } },
      stop("end_turn"),
      usage,
    ]);
    expect(events).toEqual([
      { type: "delta", text: "Red, " },
      { type: "delta", text: "orange." },
      { type: "finish", reason: "stop", usage: { inputTokens: 17, outputTokens: 8 } },
    ]);
  });

  it("finishes without usage when the stream ends after messageStop", async () => {
    const events = await read([start, delta("Hi"), stop("max_tokens")]);
    expect(events.at(-1)).toEqual({ type: "finish", reason: "length", usage: undefined });
  });

  it("finishes at the metadata without reading further", async () => {
    let pulledAfterMetadata = false;
    async function* endless(): AsyncGenerator<ConverseStreamOutput> {
      yield delta("Hi");
      yield stop("end_turn");
      yield usage;
      pulledAfterMetadata = true;
      yield delta("never");
    }
    const out: ChatEvent[] = [];
    for await (const event of readBedrockStream(endless(), { providerName: "bedrock", log })) {
      out.push(event);
    }
    expect(out.at(-1)).toMatchObject({ type: "finish", reason: "stop" });
    expect(pulledAfterMetadata).toBe(false);
  });

  it("ignores reasoning and tool-use deltas", async () => {
    const events = await read([
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: "hmm" } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: "{}" } } } },
      delta("Answer"),
      stop("end_turn"),
      usage,
    ]);
    expect(events.filter((event) => event.type === "delta")).toEqual([
      { type: "delta", text: "Answer" },
    ]);
  });

  it("throws interrupted when the stream ends before messageStop", async () => {
    await expect(read([start, delta("Hi")])).rejects.toMatchObject({
      name: "ProviderError",
      kind: "interrupted",
      message: "bedrock: the answer stream ended before its stop reason",
    });
  });

  it("classifies an exception member of the stream", async () => {
    const exception = Object.assign(new Error("Too many requests"), {
      name: "ThrottlingException",
      $metadata: {},
    });
    const error = await read([delta("Hi"), { throttlingException: exception } as never]).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: "rate_limited" });
  });

  it("skips up to three malformed events, then fails as malformed", async () => {
    const unknown = { $unknown: ["newEvent", {}] } as ConverseStreamOutput;
    const events = await read([delta("Hi"), unknown, unknown, unknown, stop("end_turn"), usage]);
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "stop" });
    await expect(
      read([delta("Hi"), unknown, unknown, unknown, unknown, stop("end_turn")]),
    ).rejects.toMatchObject({ kind: "malformed" });
  });
});
