/**
 * Raw HTTP/2 frames (RFC 9113 §4, §6) and a minimal HPACK encoder (RFC 7541), so that the abuse
 * probes can send what no well-behaved client library would: resets right after HEADERS, floods
 * of SETTINGS and PING, half-sent bodies, header lists over the server's limits.
 */

/** The bytes every HTTP/2 client connection starts with (RFC 9113 §3.4). */
export const CLIENT_MAGIC = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** Frame types, RFC 9113 §6. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** Frame flags, RFC 9113 §6 (ACK shares END_STREAM's bit, on SETTINGS and PING). */
export const FrameFlag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/** Error codes of RST_STREAM and GOAWAY, RFC 9113 §7. */
export const H2ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

/** SETTINGS identifiers, RFC 9113 §6.5.2. */
export const SettingId = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** The largest frame payload a peer must accept before SETTINGS say otherwise (RFC 9113 §4.2). */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;

/** Length of a frame header: length (3), type (1), flags (1), stream id (4). */
export const FRAME_HEADER_BYTES = 9;

/** One frame as read from the wire. */
export interface H2Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** One frame: the 9-byte header followed by `payload`. */
export function encodeFrame(
  type: number,
  flags: number,
  streamId: number,
  payload: Buffer = Buffer.alloc(0),
): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUIntBE(payload.length, 0, 3);
  frame[3] = type;
  frame[4] = flags;
  frame.writeUInt32BE(streamId & 0x7fff_ffff, 5);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** A SETTINGS frame with these `[identifier, value]` pairs (none: an empty SETTINGS). */
export function settingsFrame(settings: readonly (readonly [number, number])[] = []): Buffer {
  const payload = Buffer.alloc(settings.length * 6);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return encodeFrame(FrameType.SETTINGS, 0, 0, payload);
}

/** The acknowledgement of a peer's SETTINGS. */
export const SETTINGS_ACK = encodeFrame(FrameType.SETTINGS, FrameFlag.ACK, 0);

/** A PING with 8 bytes of opaque data (zeros by default), or its ACK. */
export function pingFrame(data: Buffer = Buffer.alloc(8), ack = false): Buffer {
  return encodeFrame(FrameType.PING, ack ? FrameFlag.ACK : 0, 0, data);
}

/** RST_STREAM of `streamId` with `errorCode`. */
export function rstStreamFrame(streamId: number, errorCode: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(errorCode, 0);
  return encodeFrame(FrameType.RST_STREAM, 0, streamId, payload);
}

/** A DATA frame, optionally the last of its stream. */
export function dataFrame(streamId: number, data: Buffer, endStream = false): Buffer {
  return encodeFrame(FrameType.DATA, endStream ? FrameFlag.END_STREAM : 0, streamId, data);
}

/** WINDOW_UPDATE of a stream (or of the connection with stream 0). */
export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment, 0);
  return encodeFrame(FrameType.WINDOW_UPDATE, 0, streamId, payload);
}

/**
 * A header block sent as one HEADERS frame and as many CONTINUATION frames as `maxFrameSize`
 * requires, END_HEADERS on the last one.
 */
export function headersFrames(
  streamId: number,
  block: Buffer,
  options: { readonly endStream?: boolean; readonly maxFrameSize?: number } = {},
): Buffer {
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const frames: Buffer[] = [];
  for (let offset = 0; offset === 0 || offset < block.length; offset += maxFrameSize) {
    const fragment = block.subarray(offset, offset + maxFrameSize);
    const last = offset + maxFrameSize >= block.length;
    const type = offset === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
    let flags = last ? FrameFlag.END_HEADERS : 0;
    if (offset === 0 && options.endStream) flags |= FrameFlag.END_STREAM;
    frames.push(encodeFrame(type, flags, streamId, fragment));
  }
  return Buffer.concat(frames);
}

/**
 * HPACK-encodes `headers` as literal header fields without indexing, with a new name and no
 * Huffman coding (RFC 7541 §6.2.2): the block changes no table, so one encoded block may be
 * sent on any stream of any connection, any number of times.
 */
export function encodeHeaderBlock(headers: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of headers) {
    parts.push(Buffer.from([0x00]));
    parts.push(encodeHpackString(name.toLowerCase()));
    parts.push(encodeHpackString(value));
  }
  return Buffer.concat(parts);
}

function encodeHpackString(text: string): Buffer {
  const bytes = Buffer.from(text, "latin1");
  return Buffer.concat([encodeHpackInteger(bytes.length, 7, 0x00), bytes]);
}

/** An HPACK integer with an N-bit prefix (RFC 7541 §5.1), `highBits` set above the prefix. */
export function encodeHpackInteger(value: number, prefixBits: number, highBits: number): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([highBits | value]);
  const bytes = [highBits | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A gRPC (and Connect streaming) envelope: flags (1), length (4, big endian), message. */
export function envelope(message: Uint8Array, flags = 0): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = flags;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** `PromptRequest { prompt: "hi" }` in the protobuf binary format: field 1, length 2, "hi". */
export const PROMPT_HI_PROTO = Buffer.from([0x0a, 0x02, 0x68, 0x69]);

/** The request headers of a gRPC call of `path` over cleartext HTTP/2. */
export function grpcRequestHeaders(
  path: string,
  authority: string,
  extra: readonly (readonly [string, string])[] = [],
): (readonly [string, string])[] {
  return [
    [":method", "POST"],
    [":scheme", "http"],
    [":path", path],
    [":authority", authority],
    ["content-type", "application/grpc"],
    ["te", "trailers"],
    ...extra,
  ];
}

/**
 * Splits a byte stream into frames: `push` each chunk as it arrives; each complete frame is
 * handed to `onFrame`, a partial one waits for the next chunk.
 */
export function createFrameParser(onFrame: (frame: H2Frame) => void): {
  push(chunk: Buffer): void;
} {
  let pending: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      while (pending.length - offset >= FRAME_HEADER_BYTES) {
        const length = pending.readUIntBE(offset, 3);
        if (pending.length - offset < FRAME_HEADER_BYTES + length) break;
        onFrame({
          type: pending[offset + 3]!,
          flags: pending[offset + 4]!,
          streamId: pending.readUInt32BE(offset + 5) & 0x7fff_ffff,
          payload: pending.subarray(
            offset + FRAME_HEADER_BYTES,
            offset + FRAME_HEADER_BYTES + length,
          ),
        });
        offset += FRAME_HEADER_BYTES + length;
      }
      pending = offset === pending.length ? Buffer.alloc(0) : pending.subarray(offset);
    },
  };
}

/** The error code of a GOAWAY payload: last stream id (4), error code (4), debug data. */
export function goAwayOf(payload: Buffer): { lastStreamId: number; errorCode: number } {
  return {
    lastStreamId: payload.readUInt32BE(0) & 0x7fff_ffff,
    errorCode: payload.readUInt32BE(4),
  };
}
