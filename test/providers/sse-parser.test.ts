import { describe, expect, it } from "vitest";
import { parseSse } from "../../src/providers/sse/parse-sse.js";
import { createSseParser, type SseEvent } from "../../src/providers/sse/sse-parser.js";
import { readOpenAiFixture } from "../fakes/openai-fixtures.js";

const encoder = new TextEncoder();

function parseChunks(chunks: readonly Uint8Array[]): SseEvent[] {
  const parser = createSseParser();
  const events = chunks.flatMap((chunk) => parser.push(chunk));
  return [...events, ...parser.end()];
}

function parseText(text: string): SseEvent[] {
  return parseChunks([encoder.encode(text)]);
}

const recorded = readOpenAiFixture("streamed-answer.sse");
// Every field kind, and multi-line data, so that a line end split as CR | LF cannot pass as a
// blank line unnoticed.
const everyField =
  ': keep-alive\nevent: delta\nid: 41\ndata: {"text":\n' +
  'data: "señor ☕"}\nretry: 3000\n\ndata: 🚀 second\ndata:\n\n' +
  recorded;
const lineEndings = {
  LF: everyField,
  CRLF: everyField.replaceAll("\n", "\r\n"),
  CR: everyField.replaceAll("\n", "\r"),
};

describe("createSseParser", () => {
  it("parses a recorded OpenAI stream into one event per data line, [DONE] last", () => {
    const events = parseText(recorded);
    expect(events).toHaveLength(10);
    expect(events.every((event) => event.event === "message")).toBe(true);
    expect(events.at(-1)?.data).toBe("[DONE]");
    const texts = events
      .slice(0, -1)
      .map((event) => JSON.parse(event.data).choices[0]?.delta?.content ?? "")
      .join("");
    expect(texts).toBe("Bonjour! Un café\u00a0☕ et un 🚀\nnaïve?");
  });

  for (const [name, text] of Object.entries(lineEndings)) {
    it(`gives the same events for every split point of the stream (${name} line endings)`, () => {
      const bytes = encoder.encode(text);
      const expected = parseText(everyField);
      expect(expected).toHaveLength(12);
      for (let offset = 0; offset <= bytes.length; offset++) {
        const events = parseChunks([bytes.subarray(0, offset), bytes.subarray(offset)]);
        if (JSON.stringify(events) !== JSON.stringify(expected)) {
          expect.fail(`split at byte ${offset} changed the events`);
        }
      }
    });

    it(`gives the same events when the stream arrives one byte at a time (${name})`, () => {
      const bytes = encoder.encode(text);
      const chunks = Array.from(bytes, (_, index) => bytes.subarray(index, index + 1));
      expect(parseChunks(chunks)).toEqual(parseText(everyField));
    });
  }

  it("keeps a multi-byte character split across reads intact", () => {
    const bytes = encoder.encode("data: 🚀\n\n");
    // The emoji's 4 bytes start at offset 6: split inside it.
    const events = parseChunks([bytes.subarray(0, 7), bytes.subarray(7, 9), bytes.subarray(9)]);
    expect(events.map((event) => event.data)).toEqual(["🚀"]);
  });

  it("treats CR then LF in the next read as one line end, not an empty line", () => {
    const events = parseChunks([
      encoder.encode("data: a\r"),
      encoder.encode("\ndata: b\r"),
      encoder.encode("\n\r\n"),
    ]);
    expect(events.map((event) => event.data)).toEqual(["a\nb"]);
  });

  it("joins multi-line data with newlines and reads event and id fields", () => {
    const events = parseText("event: update\nid: 7\ndata: first\ndata:second\ndata\n\n");
    expect(events).toEqual([
      { event: "update", data: "first\nsecond\n", id: "7", retry: undefined },
    ]);
  });

  it("ignores comment lines and unknown fields", () => {
    const events = parseText(": keep-alive\n\n:another\nfoo: bar\ndata: x\n\n");
    expect(events.map((event) => event.data)).toEqual(["x"]);
  });

  it("dispatches nothing for an event without data, and keeps the last id for later events", () => {
    const events = parseText("id: 1\nevent: ping\n\ndata: after\n\n");
    expect(events).toEqual([{ event: "message", data: "after", id: "1", retry: undefined }]);
  });

  it("strips only one leading space of a value and keeps the rest", () => {
    expect(parseText("data:   spaced \n\n").map((event) => event.data)).toEqual(["  spaced "]);
  });

  it("reads a numeric retry field and ignores an id containing NUL", () => {
    const events = parseText("retry: 2500\nid: a\u0000b\ndata: x\n\nretry: soon\ndata: y\n\n");
    expect(events).toEqual([
      { event: "message", data: "x", id: "", retry: 2500 },
      { event: "message", data: "y", id: "", retry: undefined },
    ]);
  });

  it("drops a leading byte order mark", () => {
    expect(parseText("\uFEFFdata: x\n\n").map((event) => event.data)).toEqual(["x"]);
  });

  it("discards an event the stream ends in the middle of", () => {
    expect(parseText("data: complete\n\ndata: cut off").map((event) => event.data)).toEqual([
      "complete",
    ]);
  });
});

describe("parseSse", () => {
  it("yields the events of each read together, as their blank lines arrive", async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield encoder.encode("data: one\n");
      yield encoder.encode("\ndata: tw");
      yield encoder.encode("o\n\ndata: three\n\ndata: fo");
      yield encoder.encode("ur\n\n");
    }
    const reads: string[][] = [];
    for await (const events of parseSse(chunks())) reads.push(events.map((event) => event.data));
    expect(reads).toEqual([["one"], ["two", "three"], ["four"]]);
  });

  it("propagates an error of the byte stream", async () => {
    const failure = new Error("socket hang up");
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield encoder.encode("data: one\n\n");
      throw failure;
    }
    const events: string[] = [];
    await expect(async () => {
      for await (const read of parseSse(chunks())) events.push(...read.map((event) => event.data));
    }).rejects.toBe(failure);
    expect(events).toEqual(["one"]);
  });
});
