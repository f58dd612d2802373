import * as zlib from "node:zlib";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { retryInfoDetail } from "./retry-info.js";

/** Options of `createBoundedCompressions`. */
export interface BoundedDecompressionOptions {
  /** Inflated bytes held by decompressions in progress, process-wide. */
  readonly maxDecompressingBytes: number;
  /** Largest inflated size per compressed byte of one message. */
  readonly maxCompressionRatio: number;
}

/**
 * A message may always inflate to this many bytes, whatever its ratio: a short prompt of
 * repeated characters compresses far better than any `maxCompressionRatio`.
 */
const ratioFreeBytes = 64 * 1024;

/** How long a request refused for the process-wide budget is asked to wait, in milliseconds. */
const budgetRetryAfterMs = 1_000;

/** Bytes inflated per step: the unit in which the budget is reserved. */
const chunkBytes = 16 * 1024;

/**
 * gzip and br for connect-node's `acceptCompression`, with decompression that cannot be turned
 * into a memory flood. connect-node's own inflates each message in one call up to `readMaxBytes`
 * (4 MiB by default) before refusing it, so 2,000 small bombs at once hold 8 GB. Here each message
 * inflates as a stream in 16 KiB steps and stops at the first of: `readMaxBytes`, its compressed
 * size × `maxCompressionRatio` (at least 64 KiB), or the process-wide budget of bytes being
 * inflated at once. Beyond any of them the call fails with RESOURCE_EXHAUSTED and the inflated
 * bytes are dropped at once; a gzip body whose trailer declares more than its bound is refused
 * before inflating anything. Compressing responses is connect-node's.
 */
export function createBoundedCompressions(options: BoundedDecompressionOptions): Compression[] {
  const budget = { available: options.maxDecompressingBytes };
  const bounded = (
    base: Compression,
    createInflater: () => zlib.Gunzip | zlib.BrotliDecompress,
    declaredSize: (bytes: Uint8Array) => number | undefined,
  ) => ({
    name: base.name,
    compress: (bytes: Uint8Array) => base.compress(bytes),
    decompress: (bytes: Uint8Array, readMaxBytes: number) => {
      const limits = {
        maxBytes: Math.min(
          readMaxBytes,
          Math.max(ratioFreeBytes, bytes.byteLength * options.maxCompressionRatio),
        ),
        readMaxBytes,
        budget,
      };
      const declared = declaredSize(bytes);
      if (declared !== undefined && declared > limits.maxBytes) {
        return Promise.reject(tooLarge(limits));
      }
      return inflate(bytes, createInflater(), limits);
    },
  });
  return [
    bounded(compressionGzip, () => zlib.createGunzip({ chunkSize: chunkBytes }), gzipDeclaredSize),
    bounded(
      compressionBrotli,
      () => zlib.createBrotliDecompress({ chunkSize: chunkBytes }),
      () => undefined,
    ),
  ];
}

/** The smallest gzip member: a 10-byte header, an empty deflate block, an 8-byte trailer. */
const minGzipBytes = 20;

/**
 * The inflated size a gzip body declares: its trailer's ISIZE (RFC 1952 §2.3.1), the size of its
 * last member modulo 2^32. The whole body is at least that large (or at least 4 GiB), so a body
 * declaring more than its bound is refused before a byte is inflated: a naive bomb then costs
 * nothing. A body that understates its size is still stopped by the streaming bounds.
 */
function gzipDeclaredSize(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength < minGzipBytes || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(bytes.byteLength - 4, true);
}

interface InflateLimits {
  /** This message's bound. */
  readonly maxBytes: number;
  readonly readMaxBytes: number;
  /** Bytes the process may still reserve; shared by every decompression. */
  readonly budget: { available: number };
}

function inflate(
  compressed: Uint8Array,
  inflater: zlib.Gunzip | zlib.BrotliDecompress,
  limits: InflateLimits,
): Promise<Uint8Array<ArrayBuffer>> {
  if (compressed.byteLength === 0) return Promise.resolve(new Uint8Array(0));
  const { budget } = limits;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let reserved = 0;
    let settled = false;
    const settle = (error: ConnectError | undefined): void => {
      if (settled) return;
      settled = true;
      budget.available += reserved;
      reserved = 0;
      if (error !== undefined) {
        chunks.length = 0;
        inflater.destroy();
        reject(error);
        return;
      }
      // zlib's chunks live on ArrayBuffers (never shared memory).
      const inflated = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      resolve(inflated as Uint8Array<ArrayBuffer>);
    };
    inflater.on("data", (chunk: Buffer) => {
      if (settled) return;
      if (reserved + chunk.length > limits.maxBytes) {
        settle(tooLarge(limits));
        return;
      }
      if (chunk.length > budget.available) {
        settle(
          new ConnectError(
            "the gateway is decompressing too many requests at once (server.limits.maxDecompressingBytes); retry shortly",
            Code.ResourceExhausted,
            undefined,
            [retryInfoDetail(budgetRetryAfterMs)],
          ),
        );
        return;
      }
      budget.available -= chunk.length;
      reserved += chunk.length;
      chunks.push(chunk);
    });
    inflater.once("end", () => settle(undefined));
    inflater.once("error", (error: NodeJS.ErrnoException) => {
      settle(
        new ConnectError(
          "decompression failed: the body is not valid compressed data",
          Code.InvalidArgument,
          undefined,
          undefined,
          error,
        ),
      );
    });
    inflater.end(compressed);
  });
}

function tooLarge(limits: InflateLimits): ConnectError {
  const message =
    limits.maxBytes === limits.readMaxBytes
      ? `message is larger than ${limits.readMaxBytes} bytes after decompression (server.limits.maxMessageBytes)`
      : `message inflates beyond ${limits.maxBytes} bytes, more than server.limits.maxCompressionRatio times its compressed size`;
  return new ConnectError(message, Code.ResourceExhausted);
}
