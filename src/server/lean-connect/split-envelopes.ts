import { Code, ConnectError } from "@connectrpc/connect";
import type { EnvelopedMessage } from "@connectrpc/connect/protocol";

/**
 * Splits a whole request body into its enveloped messages (flags, 32-bit big-endian length,
 * data), refusing a message larger than `readMaxBytes` and a body that ends inside an
 * envelope, with connect-es's codes and messages.
 */
export function splitEnvelopes(body: Uint8Array, readMaxBytes: number): EnvelopedMessage[] {
  const envelopes: EnvelopedMessage[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let offset = 0;
  while (offset < body.byteLength) {
    if (body.byteLength - offset < 5) break;
    const length = view.getUint32(offset + 1);
    if (length > readMaxBytes) {
      throw new ConnectError(
        `message size ${length} is larger than configured readMaxBytes ${readMaxBytes}`,
        Code.ResourceExhausted,
      );
    }
    if (body.byteLength - offset - 5 < length) break;
    envelopes.push({
      flags: body[offset] as number,
      data: body.subarray(offset + 5, offset + 5 + length),
    });
    offset += 5 + length;
  }
  if (offset < body.byteLength) {
    throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
  }
  return envelopes;
}
