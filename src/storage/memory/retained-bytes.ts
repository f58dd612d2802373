import type { StreamEventPayload } from "../records.js";

/** What one stream costs before its events, in bytes (measured on Node 20: entry, maps, sets). */
export const STREAM_OVERHEAD_BYTES = 800;

/** What one stored event costs besides its text, in bytes (measured: record, payload, array slot). */
export const EVENT_OVERHEAD_BYTES = 160;

/**
 * The memory one retained event is counted at: `EVENT_OVERHEAD_BYTES` plus 2 bytes per UTF-16
 * unit of its strings (the text of a delta; the models and reasons of the other events). V8
 * stores Latin-1 text in 1 byte per character and any other in 2, so this is an upper bound for
 * the text, and cheap: no encoding is computed.
 */
export function retainedEventBytes(payload: StreamEventPayload): number {
  return EVENT_OVERHEAD_BYTES + 2 * textLength(payload);
}

function textLength(payload: StreamEventPayload): number {
  switch (payload.type) {
    case "delta":
      return payload.text.length;
    case "started":
      return payload.sessionId.length + payload.streamId.length + payload.model.length;
    case "model_switched":
      return payload.fromModel.length + payload.toModel.length + payload.reason.length;
    case "completed": {
      let length = payload.model.length;
      for (const attempt of payload.attempts)
        length += attempt.model.length + attempt.reason.length;
      return length;
    }
  }
}
