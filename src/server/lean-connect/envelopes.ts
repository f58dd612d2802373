import type { DescMessage, Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type Compression,
  encodeEnvelope,
  envelopeCompress,
  envelopeDecompress,
  type MethodSerializationLookup,
  type Serialization,
} from "@connectrpc/connect/protocol";
import type { HttpRequest } from "../http-handler.js";
import type { CoalescingWriter } from "./coalescing-writer.js";
import { readRequestBytes } from "./read-request-bytes.js";
import { splitEnvelopes } from "./split-envelopes.js";

/** Encodes one enveloped message: synchronously, unless it is large enough to compress. */
export type EnvelopeSealer = (flags: number, data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** Envelopes as connect-es writes them: compressed when `compression` is set and the data large. */
export function createEnvelopeSealer(
  compression: Compression | null,
  compressMinBytes: number,
): EnvelopeSealer {
  return (flags, data) =>
    compression && data.byteLength >= compressMinBytes
      ? compressEnvelope(flags, data, compression)
      : encodeEnvelope(flags, data);
}

async function compressEnvelope(
  flags: number,
  data: Uint8Array,
  compression: Compression,
): Promise<Uint8Array> {
  const envelope = await envelopeCompress({ flags, data }, compression, 0);
  return encodeEnvelope(envelope.flags, envelope.data);
}

/**
 * Writes each message as an envelope through `writer`, asking for the next one once the last
 * was handed to the connection (or once it drained when the connection is full); stops when the
 * response closes.
 */
export async function writeEnvelopedMessages(
  messages: AsyncIterable<Message>,
  serialization: Serialization<Message>,
  writer: CoalescingWriter,
  seal: EnvelopeSealer,
): Promise<void> {
  for await (const message of messages) {
    if (!writer.open()) break;
    if (!writer.write(await seal(0, serialization.serialize(message)))) await writer.drained();
  }
}

/** How to read the one enveloped message of a request. */
export interface SingleMessageRead {
  readonly serialization: MethodSerializationLookup<DescMessage, DescMessage>;
  readonly binary: boolean;
  readonly compression: Compression | null;
  readonly readMaxBytes: number;
  /** Envelopes with these flags are skipped (gRPC-Web's trailer frame); 0: none. */
  readonly skipFlags: number;
  /** "unary" or "server-streaming", for the error of a wrong message count. */
  readonly methodKind: string;
}

/**
 * Reads a request body of enveloped messages and parses its one message, refusing a message
 * over `readMaxBytes` (RESOURCE_EXHAUSTED), a broken envelope (INVALID_ARGUMENT), and a body
 * without a message or with more than one (UNIMPLEMENTED), with connect-es's messages.
 */
export async function readSingleMessage(
  req: HttpRequest,
  read: SingleMessageRead,
): Promise<unknown> {
  const body = await readRequestBytes(req, read.readMaxBytes + 10);
  const inputs = [];
  for (const envelope of splitEnvelopes(body, read.readMaxBytes)) {
    if (read.skipFlags !== 0 && (envelope.flags & read.skipFlags) === read.skipFlags) continue;
    const { data } = await envelopeDecompress(envelope, read.compression, read.readMaxBytes);
    inputs.push(read.serialization.getI(read.binary).parse(data));
  }
  if (inputs.length !== 1) {
    const problem = inputs.length === 0 ? "missing input message" : "received extra input message";
    throw new ConnectError(
      `protocol error: ${problem} for ${read.methodKind} method`,
      Code.Unimplemented,
    );
  }
  return inputs[0];
}
