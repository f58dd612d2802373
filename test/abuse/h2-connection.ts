import * as net from "node:net";
import {
  CLIENT_MAGIC,
  createFrameParser,
  FrameFlag,
  FrameType,
  goAwayOf,
  type H2Frame,
  pingFrame,
  SETTINGS_ACK,
  settingsFrame,
} from "./h2-frames.js";
import { within } from "./within.js";

/** Options of `openRawH2`. */
export interface RawH2Options {
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** The loopback source address to connect from, e.g. "127.0.0.7". */
  readonly localAddress?: string;
  /** SETTINGS sent after the preface; default none (an empty SETTINGS frame). */
  readonly settings?: readonly (readonly [number, number])[];
  /** Acknowledge the server's SETTINGS and PINGs as a well-behaved client does; default true. */
  readonly answerControlFrames?: boolean;
  /** Give up connecting after this long (a server whose accept queue is full); default 10 s. */
  readonly connectTimeoutMs?: number;
}

/** A cleartext HTTP/2 connection driven frame by frame. */
export interface RawH2Connection {
  readonly socket: net.Socket;
  /** Every GOAWAY the server sent, in order. */
  readonly goAways: readonly { lastStreamId: number; errorCode: number }[];
  /** Resolves once the TCP socket is closed (by either side), never rejects. */
  readonly closed: Promise<void>;
  /** Calls `listener` with every frame the server sends. */
  onFrame(listener: (frame: H2Frame) => void): void;
  /** The next unused client stream id (1, 3, 5 …). */
  nextStreamId(): number;
}

/**
 * Connects, sends the preface and SETTINGS, and resolves once the TCP connection is up (rejects
 * when it cannot be made in time). The server's frames are parsed as they arrive.
 */
export async function openRawH2(options: RawH2Options): Promise<RawH2Connection> {
  const socket = net.connect({
    port: options.port,
    host: options.host ?? "127.0.0.1",
    localAddress: options.localAddress,
  });
  socket.setNoDelay(true);
  // Not `events.once`: it would reject on "error", and a reset is an outcome, not a failure.
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  // A reset by the server is an outcome the probes observe through `closed`, not a failure here.
  socket.on("error", () => {});
  const listeners: ((frame: H2Frame) => void)[] = [];
  const goAways: { lastStreamId: number; errorCode: number }[] = [];
  const answer = options.answerControlFrames ?? true;
  const parser = createFrameParser((frame) => {
    if (frame.type === FrameType.GOAWAY) goAways.push(goAwayOf(frame.payload));
    if (answer && !socket.destroyed) {
      if (frame.type === FrameType.SETTINGS && (frame.flags & FrameFlag.ACK) === 0) {
        socket.write(SETTINGS_ACK);
      }
      if (frame.type === FrameType.PING && (frame.flags & FrameFlag.ACK) === 0) {
        socket.write(pingFrame(frame.payload, true));
      }
    }
    for (const listener of listeners) listener(frame);
  });
  socket.on("data", (chunk: Buffer) => parser.push(chunk));
  socket.write(Buffer.concat([CLIENT_MAGIC, settingsFrame(options.settings)]));
  const connected = await within(
    new Promise<boolean>((resolve) => {
      socket.once("connect", () => resolve(true));
      void closed.then(() => resolve(false));
    }),
    options.connectTimeoutMs ?? 10_000,
  );
  if (connected !== true) {
    socket.destroy();
    throw new Error(
      connected === false ? "connection closed before it was established" : "connect timed out",
    );
  }
  let streamId = -1;
  return {
    socket,
    goAways,
    closed,
    onFrame: (listener) => listeners.push(listener),
    nextStreamId: () => {
      streamId += 2;
      return streamId;
    },
  };
}

/**
 * Decodes the `:status` of a response header block when it is its first field, as Node's HTTP/2
 * server sends it: an indexed static entry (200, 204, 206, 304, 400, 404, 500) or a literal
 * whose name is static entry 8 and whose value is raw or Huffman-coded digits. Only the first
 * response on a connection is reliable (a later one may index the dynamic table).
 */
export function statusOfHeaderBlock(block: Buffer): number | undefined {
  const first = block[0];
  if (first === undefined) return undefined;
  if (first & 0x80) {
    return staticStatuses[first & 0x7f];
  }
  // Literal with incremental indexing (01xxxxxx, 6-bit index) or without/never indexed (4-bit).
  const index = (first & 0xc0) === 0x40 ? first & 0x3f : first & 0x0f;
  if (index < 8 || index > 14) return undefined;
  const lengthByte = block[1];
  if (lengthByte === undefined) return undefined;
  const length = lengthByte & 0x7f;
  const value = block.subarray(2, 2 + length);
  const text = lengthByte & 0x80 ? huffmanDigits(value) : value.toString("latin1");
  return text === undefined ? undefined : Number(text);
}

const staticStatuses: Record<number, number> = {
  8: 200,
  9: 204,
  10: 206,
  11: 304,
  12: 400,
  13: 404,
  14: 500,
};

/** Decodes Huffman-coded decimal digits (RFC 7541 Appendix B): 0-2 take 5 bits, 3-9 take 6. */
function huffmanDigits(bytes: Buffer): string | undefined {
  let bits = "";
  for (const byte of bytes) bits += byte.toString(2).padStart(8, "0");
  let text = "";
  let i = 0;
  while (i < bits.length) {
    const five = Number.parseInt(bits.slice(i, i + 5), 2);
    if (bits.length - i >= 5 && five <= 2) {
      text += String(five);
      i += 5;
      continue;
    }
    const six = Number.parseInt(bits.slice(i, i + 6), 2);
    if (bits.length - i >= 6 && six >= 0b011001 && six <= 0b011111) {
      text += String(six - 0b011001 + 3);
      i += 6;
      continue;
    }
    // The rest must be EOS padding: fewer than 8 one-bits.
    return /^1{0,7}$/.test(bits.slice(i)) ? text : undefined;
  }
  return text;
}
