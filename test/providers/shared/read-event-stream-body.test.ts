import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { ChatEvent } from "../../../src/providers/chat-provider.js";
import { openEventStream } from "../../../src/providers/http/open-event-stream.js";
import {
  type BodyRelease,
  readEventStreamBody,
} from "../../../src/providers/http/read-event-stream-body.js";
import { ProviderError } from "../../../src/providers/provider-error.js";
import type { SseEvent } from "../../../src/providers/sse/sse-parser.js";
import {
  callOptions,
  REQUEST,
  type SseTestUpstream,
  startSseTestUpstream,
} from "./sse-test-upstream.js";

type End = "marker" | "body_end" | "timeout";

const RELEASE_ON_END: Record<End, BodyRelease> = {
  marker: "drain",
  body_end: "ended",
  timeout: "discard",
};

/**
 * A reader of a toy wire: `data: <text>` is a delta, `data: end:<how>` completes the answer,
 * `data: break` throws a plain error, `data: refuse` a ProviderError.
 */
async function* toyReader(
  reads: AsyncIterable<readonly SseEvent[]>,
  onComplete: (end: End) => void,
): AsyncGenerator<ChatEvent, void, undefined> {
  for await (const { data } of (async function* () {
    for await (const events of reads) yield* events;
  })()) {
    if (data === "break") throw new Error("socket went away");
    if (data === "refuse") throw new ProviderError("content_filtered", "p: refused");
    if (data.startsWith("end:")) {
      onComplete(data.slice(4) as End);
      yield { type: "finish", reason: "stop", usage: undefined };
      return;
    }
    yield { type: "delta", text: data };
  }
}

let upstream: SseTestUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

/** Starts an upstream that writes `body` and then ends the response, or keeps it open. */
async function upstreamWriting(body: string, keepOpen: boolean) {
  const responses: ServerResponse[] = [];
  upstream = await startSseTestUpstream((_request, response) => {
    responses.push(response);
    response.writeHead(200, { "content-type": "text/event-stream" });
    if (keepOpen) response.write(body);
    else response.end(body);
  });
  return { upstream, responses };
}

async function answer(server: SseTestUpstream, signal?: AbortSignal): Promise<ChatEvent[]> {
  const call = callOptions(signal);
  const body = await openEventStream(server.pool, REQUEST, call, {
    providerName: "p",
    classifyError: () => new ProviderError("rejected", "unexpected status"),
  });
  const seen: ChatEvent[] = [];
  const events = readEventStreamBody(body, {
    providerName: "p",
    call,
    awaited: "finish reason",
    releaseOnEnd: RELEASE_ON_END,
    read: toyReader,
  });
  for await (const event of events) seen.push(event);
  return seen;
}

function closed(response: ServerResponse | undefined): Promise<void> {
  return new Promise((resolve) => response?.on("close", () => resolve()));
}

describe("readEventStreamBody", () => {
  it("yields the reader's events and drains a completed body so its connection is reused", async () => {
    const { upstream, responses } = await upstreamWriting(
      "data: Hel\n\ndata: lo\n\ndata: end:marker\n\n",
      true,
    );
    expect(await answer(upstream)).toEqual([
      { type: "delta", text: "Hel" },
      { type: "delta", text: "lo" },
      { type: "finish", reason: "stop", usage: undefined },
    ]);
    // The rest of the body (the chunk terminator) follows the complete answer.
    responses[0]?.end();
    await answer(upstream);
    expect(upstream.connections()).toBe(1);
  });

  it("cuts the connection of a body still open when the answer completes by timeout", async () => {
    const { upstream, responses } = await upstreamWriting(
      "data: hi\n\ndata: end:timeout\n\n",
      true,
    );
    const events = await answer(upstream);
    expect(events.at(-1)).toMatchObject({ type: "finish" });
    await closed(responses[0]);
    await answer(upstream);
    expect(upstream.connections()).toBe(2);
  });

  it("cuts the connection of an answer abandoned mid-way", async () => {
    const { upstream, responses } = await upstreamWriting("data: hi\n\n", true);
    const call = callOptions();
    const body = await openEventStream(upstream.pool, REQUEST, call, {
      providerName: "p",
      classifyError: () => new ProviderError("rejected", "unexpected status"),
    });
    const events = readEventStreamBody(body, {
      providerName: "p",
      call,
      awaited: "finish reason",
      releaseOnEnd: RELEASE_ON_END,
      read: toyReader,
    });
    for await (const event of events) {
      expect(event).toEqual({ type: "delta", text: "hi" });
      break;
    }
    await closed(responses[0]);
  });

  it("turns a plain error of the reader into interrupted, naming what the answer awaited", async () => {
    const { upstream } = await upstreamWriting("data: hi\n\ndata: break\n\n", false);
    const error = await answer(upstream).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      kind: "interrupted",
      message: "p: the answer stream broke before its finish reason",
    });
    expect((error as ProviderError).cause).toEqual(new Error("socket went away"));
  });

  it("lets a ProviderError of the reader through unchanged", async () => {
    const { upstream } = await upstreamWriting("data: refuse\n\n", false);
    await expect(answer(upstream)).rejects.toThrow(
      new ProviderError("content_filtered", "p: refused"),
    );
  });

  it("rethrows the caller's abort as the signal's reason, never classified", async () => {
    const { upstream } = await upstreamWriting("data: hi\n\n", true);
    const controller = new AbortController();
    const call = callOptions(controller.signal);
    const body = await openEventStream(upstream.pool, REQUEST, call, {
      providerName: "p",
      classifyError: () => new ProviderError("rejected", "unexpected status"),
    });
    const events = readEventStreamBody(body, {
      providerName: "p",
      call,
      awaited: "finish reason",
      releaseOnEnd: RELEASE_ON_END,
      read: toyReader,
    });
    const reason = new Error("caller went away");
    const read = (async () => {
      for await (const event of events) {
        if (event.type === "delta") controller.abort(reason);
      }
    })();
    await expect(read).rejects.toBe(reason);
  });
});
