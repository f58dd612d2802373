/**
 * How the conformance runner and the program under test exchange messages on stdin and stdout:
 * each message is a 32-bit big-endian byte count followed by that many bytes.
 */

/** Reads the first size-delimited message of `input`; throws when `input` ends before it. */
export async function readSizeDelimited(input: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  let buffered = Buffer.alloc(0);
  for await (const chunk of input) {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.byteLength < 4) continue;
    const end = 4 + buffered.readUInt32BE(0);
    if (buffered.byteLength >= end) return buffered.subarray(4, end);
  }
  throw new Error(`input ended after ${buffered.byteLength} bytes, before a whole message`);
}

/** `message` with its 32-bit big-endian byte count in front. */
export function sizeDelimited(message: Uint8Array): Uint8Array {
  const framed = Buffer.alloc(4 + message.byteLength);
  framed.writeUInt32BE(message.byteLength, 0);
  framed.set(message, 4);
  return framed;
}
