import { afterEach, describe, expect, it } from "vitest";
import type { ChatEvent } from "../../../src/providers/chat-provider.js";
import { streamUpstreamAnswer } from "../../../src/providers/http/stream-upstream-answer.js";
import { ProviderError } from "../../../src/providers/provider-error.js";
import {
  callOptions,
  REQUEST,
  type SseTestUpstream,
  startSseTestUpstream,
} from "./sse-test-upstream.js";

let upstream: SseTestUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

const options = {
  providerName: "p",
  classifyError: (providerName: string, response: { status: number }) =>
    new ProviderError("overloaded", `${providerName}: HTTP ${response.status}`),
  awaited: "stop reason",
  releaseOnEnd: { done: "drain" } as const,
  read: async function* (
    reads: AsyncIterable<readonly { data: string }[]>,
    onComplete: (end: "done") => void,
  ): AsyncGenerator<ChatEvent, void, undefined> {
    for await (const events of reads) {
      for (const { data } of events) yield { type: "delta", text: data };
    }
    onComplete("done");
    yield { type: "finish", reason: "stop", usage: undefined };
  },
};

describe("streamUpstreamAnswer", () => {
  it("posts the request and streams the answer the reader makes of its events", async () => {
    const bodies: string[] = [];
    upstream = await startSseTestUpstream((request, response) => {
      bodies.push(`${request.method} ${request.url}`);
      response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
      response.end("data: one\n\ndata: two\n\n");
    });
    const seen: ChatEvent[] = [];
    for await (const event of streamUpstreamAnswer(
      upstream.pool,
      REQUEST,
      callOptions(),
      options,
    )) {
      seen.push(event);
    }
    expect(bodies).toEqual(["POST /stream"]);
    expect(seen).toEqual([
      { type: "delta", text: "one" },
      { type: "delta", text: "two" },
      { type: "finish", reason: "stop", usage: undefined },
    ]);
  });

  it("throws the classified error of a failed response before reading anything", async () => {
    upstream = await startSseTestUpstream((_request, response) => {
      response.writeHead(503);
      response.end("busy");
    });
    const events = streamUpstreamAnswer(upstream.pool, REQUEST, callOptions(), options);
    await expect(events.next()).rejects.toThrow(new ProviderError("overloaded", "p: HTTP 503"));
  });
});
