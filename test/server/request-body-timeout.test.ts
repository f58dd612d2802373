import { once } from "node:events";
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  CLIENT_MAGIC,
  createFrameParser,
  dataFrame,
  encodeHeaderBlock,
  FrameType,
  grpcRequestHeaders,
  H2ErrorCode,
  headersFrames,
  settingsFrame,
} from "../abuse/h2-frames.js";
import { startTestServer, type TestServer } from "./server-harness.js";

const requestBodyTimeoutMs = 600;
const headersTimeoutMs = 400;

let t: TestServer | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await t?.server.shutdown();
  t = undefined;
});

async function connect(): Promise<net.Socket> {
  const socket = net.connect(t?.address.port ?? 0, "127.0.0.1");
  sockets.push(socket);
  socket.on("error", () => {});
  await once(socket, "connect");
  return socket;
}

/** Resolves with what the server sent and the time it took once it closed the connection. */
async function untilClosed(socket: net.Socket): Promise<{ text: string; elapsedMs: number }> {
  const startedMs = performance.now();
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  // Not events.once, which rejects when the server's close arrives as ECONNRESET.
  await new Promise((resolve) => socket.once("close", resolve));
  return {
    text: Buffer.concat(chunks).toString("latin1"),
    elapsedMs: performance.now() - startedMs,
  };
}

describe("slow clients", () => {
  it("resets every HTTP/2 stream whose body is still incomplete after requestBodyTimeout", async () => {
    t = await startTestServer({ requestBodyTimeoutMs, headersTimeoutMs, idleTimeoutMs: 10_000 });
    const socket = await connect();
    const resets = new Map<number, number>();
    const startedMs = performance.now();
    const parser = createFrameParser((frame) => {
      if (frame.type === FrameType.RST_STREAM) {
        resets.set(frame.streamId, frame.payload.readUInt32BE(0));
      }
    });
    socket.on("data", (chunk: Buffer) => parser.push(chunk));
    const block = encodeHeaderBlock(
      grpcRequestHeaders("/switchboard.v1.PromptService/Prompt", "127.0.0.1"),
    );
    const frames = [CLIENT_MAGIC, settingsFrame()];
    for (let id = 1; id <= 19; id += 2) {
      // Half a gRPC envelope: it announces 100 bytes and sends 3, and never END_STREAM.
      frames.push(headersFrames(id, block), dataFrame(id, Buffer.from([0, 0, 0, 0, 100, 1, 2, 3])));
    }
    socket.write(Buffer.concat(frames));
    await expect.poll(() => resets.size, { timeout: requestBodyTimeoutMs * 5 }).toBe(10);
    const elapsedMs = performance.now() - startedMs;
    expect(elapsedMs).toBeGreaterThanOrEqual(requestBodyTimeoutMs - 20);
    expect([...resets.values()].every((code) => code === H2ErrorCode.CANCEL)).toBe(true);
    // The connection itself stays usable.
    expect(socket.destroyed).toBe(false);
  });

  it("answers 408 and closes an HTTP/1.1 request whose body stops arriving", async () => {
    t = await startTestServer({ requestBodyTimeoutMs, headersTimeoutMs, idleTimeoutMs: 10_000 });
    const socket = await connect();
    socket.write(
      'POST /switchboard.v1.PromptService/Prompt HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"prompt":',
    );
    const { text, elapsedMs } = await untilClosed(socket);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(elapsedMs).toBeLessThan(requestBodyTimeoutMs * 4);
  });

  it("closes an HTTP/1.1 connection whose request head dribbles in slower than headersTimeout", async () => {
    t = await startTestServer({ requestBodyTimeoutMs, headersTimeoutMs, idleTimeoutMs: 10_000 });
    const socket = await connect();
    socket.write("GET /healthz HTTP/1.1\r\nhost: x\r\n");
    const drip = setInterval(() => socket.write("x"), 50);
    const { elapsedMs } = await untilClosed(socket);
    clearInterval(drip);
    expect(elapsedMs).toBeLessThan(headersTimeoutMs * 4);
  });

  it("closes a connection that dribbles the HTTP/2 preface a byte at a time", async () => {
    t = await startTestServer({ requestBodyTimeoutMs, headersTimeoutMs, idleTimeoutMs: 10_000 });
    const socket = await connect();
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < CLIENT_MAGIC.length - 1) socket.write(CLIENT_MAGIC.subarray(sent, ++sent));
    }, 30);
    const { elapsedMs } = await untilClosed(socket);
    clearInterval(drip);
    expect(elapsedMs).toBeLessThan(headersTimeoutMs * 4);
  });
});
