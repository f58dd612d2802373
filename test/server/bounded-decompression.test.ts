import { gzipSync } from "node:zlib";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { createBoundedCompressions } from "../../src/server/bounded-decompression.js";
import { startTestServer, type TestServer } from "./server-harness.js";

const MiB = 1024 * 1024;

function gzipOf(compressions: ReturnType<typeof createBoundedCompressions>) {
  const gzip = compressions.find((c) => c.name === "gzip");
  if (gzip === undefined) throw new Error("no gzip");
  return gzip;
}

async function codeOf(promise: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

describe("bounded decompression", () => {
  it("inflates an honest message exactly", async () => {
    const gzip = gzipOf(
      createBoundedCompressions({ maxDecompressingBytes: MiB, maxCompressionRatio: 10 }),
    );
    const text = Buffer.from(JSON.stringify({ prompt: "a haiku about switchboards ".repeat(20) }));
    const inflated = await gzip.decompress(gzipSync(text), 4 * MiB);
    expect(Buffer.from(inflated).equals(text)).toBe(true);
  });

  it("refuses a message that inflates beyond maxCompressionRatio times its size with RESOURCE_EXHAUSTED", async () => {
    const gzip = gzipOf(
      createBoundedCompressions({ maxDecompressingBytes: 64 * MiB, maxCompressionRatio: 100 }),
    );
    const bomb = gzipSync(Buffer.alloc(4 * MiB, "a"));
    expect(bomb.byteLength).toBeLessThan(8 * 1024);
    expect(await codeOf(gzip.decompress(bomb, 4 * MiB + 1))).toBe(Code.ResourceExhausted);
  });

  it("refuses a message larger than readMaxBytes after decompression", async () => {
    const gzip = gzipOf(
      createBoundedCompressions({ maxDecompressingBytes: 64 * MiB, maxCompressionRatio: 100_000 }),
    );
    const big = gzipSync(Buffer.alloc(2 * MiB, "a"));
    expect(await codeOf(gzip.decompress(big, MiB))).toBe(Code.ResourceExhausted);
    expect(await codeOf(gzip.decompress(big, 3 * MiB))).toBe("ok");
  });

  it("refuses what does not fit the process-wide budget, and frees the budget afterwards", async () => {
    const budget = 256 * 1024;
    const gzip = gzipOf(
      createBoundedCompressions({ maxDecompressingBytes: budget, maxCompressionRatio: 100_000 }),
    );
    const each = gzipSync(Buffer.alloc(200 * 1024, "b"));
    const codes = await Promise.all(
      Array.from({ length: 20 }, () => codeOf(gzip.decompress(each, MiB))),
    );
    expect(codes).toContain("ok");
    expect(codes).toContain(Code.ResourceExhausted);
    // Nothing stays reserved once they are done.
    expect(await codeOf(gzip.decompress(each, MiB))).toBe("ok");
  });

  it("refuses a gzip body whose trailer declares more than its bound without inflating it", async () => {
    const gzip = gzipOf(
      createBoundedCompressions({ maxDecompressingBytes: 64 * MiB, maxCompressionRatio: 100 }),
    );
    // Not deflate data at all: inflating it would fail with INVALID_ARGUMENT.
    const lying = Buffer.alloc(64, 0xff);
    lying.set([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03]);
    lying.writeUInt32LE(8 * MiB, lying.length - 4);
    expect(await codeOf(gzip.decompress(lying, 4 * MiB))).toBe(Code.ResourceExhausted);
    // A body that understates its size is still stopped while it inflates.
    const understated = gzipSync(Buffer.alloc(4 * MiB, "a"));
    understated.writeUInt32LE(100, understated.length - 4);
    expect(await codeOf(gzip.decompress(understated, 4 * MiB + 1))).toBe(Code.ResourceExhausted);
  });

  it("answers INVALID_ARGUMENT for bytes that are not gzip", async () => {
    const gzip = gzipOf(
      createBoundedCompressions({ maxDecompressingBytes: MiB, maxCompressionRatio: 100 }),
    );
    expect(await codeOf(gzip.decompress(Buffer.from("not gzip at all"), MiB))).toBe(
      Code.InvalidArgument,
    );
    const truncated = gzipSync(Buffer.from("x".repeat(1000))).subarray(0, 12);
    expect(await codeOf(gzip.decompress(truncated, MiB))).toBe(Code.InvalidArgument);
  });
});

describe("compressed requests over the wire", () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.server.shutdown();
    t = undefined;
  });

  it("answers a gzip bomb in a Connect JSON body with resource_exhausted and a normal one with its answer", async () => {
    t = await startTestServer({ maxMessageBytes: 4 * MiB });
    const post = (body: Buffer) =>
      fetch(`${t?.address.url}/switchboard.v1.PromptService/Prompt`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        body,
      });
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('{"prompt":"'), Buffer.alloc(4 * MiB, "a"), Buffer.from('"}')]),
    );
    const refused = await post(bomb);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: "resource_exhausted" });
    const honest = await post(gzipSync(Buffer.from('{"prompt":"hi"}')));
    expect(honest.status).toBe(200);
    expect(await honest.json()).toMatchObject({ text: "echo: hi" });
  });
});
