/** One dispatched Server-Sent Event. */
export interface SseEvent {
  /** The `event:` field; "message" when the event named none. */
  readonly event: string;
  /** The `data:` lines joined by "\n". */
  readonly data: string;
  /** The last event id seen in the stream so far (it persists across events), or "". */
  readonly id: string;
  /** The `retry:` reconnection time of this event, in milliseconds, when it carried one. */
  readonly retry: number | undefined;
}

/** An incremental SSE parser: feed it bytes as they arrive, in any split. */
export interface SseParser {
  /** Parses one network read and returns the events it completed (often none). */
  push(chunk: Uint8Array): SseEvent[];
  /**
   * Ends the stream. Per the spec, an event not terminated by a blank line is discarded, so
   * this returns nothing; it exists to flush the decoder and to reset the parser.
   */
  end(): SseEvent[];
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Creates a parser for the `text/event-stream` format following the WHATWG EventSource
 * rules: UTF-8 (a leading BOM is dropped), lines ending in CRLF, LF or CR, `:` comment lines
 * ignored, `data:` lines joined by "\n", `event:`, `id:` (ignored when it contains NUL) and
 * `retry:` (digits only). Bytes may be split anywhere, including inside a multi-byte character
 * and between a CR and its LF.
 */
export function createSseParser(): SseParser {
  // `stream: true` keeps a partial multi-byte character for the next read; the decoder also
  // drops the BOM at the start of the stream, as the spec asks.
  let decoder = new TextDecoder("utf-8");
  let partialLine = "";
  // A read that ended on CR: an LF at the start of the next read belongs to the same line end.
  let skipLeadingLf = false;
  let data = "";
  let hasData = false;
  let eventType = "";
  let lastEventId = "";
  let retry: number | undefined;

  function dispatch(events: SseEvent[]): void {
    if (hasData) {
      events.push({
        event: eventType === "" ? "message" : eventType,
        data,
        id: lastEventId,
        retry,
      });
    }
    data = "";
    hasData = false;
    eventType = "";
    retry = undefined;
  }

  function processLine(line: string, events: SseEvent[]): void {
    if (line === "") {
      dispatch(events);
      return;
    }
    if (line.charCodeAt(0) === 0x3a /* ":" */) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20 /* " " */) value = value.slice(1);
    switch (field) {
      case "data":
        data = hasData ? `${data}\n${value}` : value;
        hasData = true;
        break;
      case "event":
        eventType = value;
        break;
      case "id":
        if (!value.includes("\u0000")) lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) retry = Number(value);
        break;
      default:
        // Unknown fields are ignored by the spec.
        break;
    }
  }

  function processText(text: string, events: SseEvent[]): void {
    let start = 0;
    if (skipLeadingLf && text.length > 0) {
      if (text.charCodeAt(0) === LF) start = 1;
      skipLeadingLf = false;
    }
    for (let index = start; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code !== LF && code !== CR) continue;
      processLine(partialLine + text.slice(start, index), events);
      partialLine = "";
      if (code === CR) {
        if (index + 1 === text.length) skipLeadingLf = true;
        else if (text.charCodeAt(index + 1) === LF) index++;
      }
      start = index + 1;
    }
    partialLine += text.slice(start);
  }

  return {
    push(chunk) {
      const events: SseEvent[] = [];
      processText(decoder.decode(chunk, { stream: true }), events);
      return events;
    },
    end() {
      processText(decoder.decode(), []);
      decoder = new TextDecoder("utf-8");
      partialLine = "";
      skipLeadingLf = false;
      data = "";
      hasData = false;
      eventType = "";
      retry = undefined;
      return [];
    },
  };
}
