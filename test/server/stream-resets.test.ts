import { once } from "node:events";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { ConnectRouter } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { ModelService } from "../../gen/switchboard/v1/model_service_pb.js";
import { PromptService } from "../../gen/switchboard/v1/prompt_service_pb.js";
import {
  CLIENT_MAGIC,
  createFrameParser,
  dataFrame,
  encodeHeaderBlock,
  envelope,
  FrameType,
  goAwayOf,
  grpcRequestHeaders,
  H2ErrorCode,
  headersFrames,
  PROMPT_HI_PROTO,
  pingFrame,
  rstStreamFrame,
  settingsFrame,
} from "../abuse/h2-frames.js";
import { startTestServer, type TestServer } from "./server-harness.js";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.server.shutdown();
  t = undefined;
});

/** Services whose Prompt counts its calls and never answers until its call is aborted. */
function countingRoutes(counter: { prompts: number }) {
  return (router: ConnectRouter): void => {
    router.service(ModelService, { listModels: () => ({ models: [] }) });
    router.service(PromptService, {
      async prompt(_request, context) {
        counter.prompts++;
        await once(context.signal, "abort");
        throw context.signal.reason;
      },
    });
  };
}

/**
 * Opens a raw HTTP/2 connection and sends `streams` Prompt streams, each as HEADERS + DATA +
 * RST_STREAM(CANCEL) in one write, the way a rapid-reset attacker does, then a PING. Resolves
 * with the GOAWAY error code once the server closed the connection; `until: "ping"` closes it
 * from this side once the server has answered the PING (it has read everything).
 */
async function rapidReset(
  streams: number,
  until: "goaway" | "ping" = "goaway",
): Promise<number | undefined> {
  // From its own loopback address: a blocked attacker must not block the test's other clients.
  const socket = net.connect({
    port: t?.address.port ?? 0,
    host: "127.0.0.1",
    localAddress: "127.0.0.9",
  });
  // Not events.once: that would reject on the EPIPE of a write to a connection the server closed.
  const closed = new Promise((resolve) => socket.once("close", resolve));
  await once(socket, "connect");
  let goAwayCode: number | undefined;
  const parser = createFrameParser((frame) => {
    if (frame.type === FrameType.GOAWAY) goAwayCode = goAwayOf(frame.payload).errorCode;
    const pingAck = frame.type === FrameType.PING && (frame.flags & 0x1) !== 0;
    if (pingAck && until === "ping") socket.end();
  });
  socket.on("data", (chunk: Buffer) => parser.push(chunk));
  socket.on("error", () => {});
  socket.write(Buffer.concat([CLIENT_MAGIC, settingsFrame()]));
  const block = encodeHeaderBlock(
    grpcRequestHeaders("/switchboard.v1.PromptService/Prompt", "127.0.0.1"),
  );
  for (let id = 1; id < streams * 2 && !socket.destroyed; id += 2) {
    const frames = Buffer.concat([
      headersFrames(id, block),
      dataFrame(id, envelope(PROMPT_HI_PROTO), true),
      rstStreamFrame(id, H2ErrorCode.CANCEL),
    ]);
    // A server that closed the connection fails the wait for "drain": the loop then ends.
    if (!socket.write(frames)) await once(socket, "drain").catch(() => undefined);
  }
  if (!socket.destroyed) socket.write(pingFrame());
  const timeout = setTimeout(() => socket.destroy(), 5_000);
  await closed;
  clearTimeout(timeout);
  return goAwayCode;
}

describe("HTTP/2 stream resets", () => {
  it("sends GOAWAY ENHANCE_YOUR_CALM to a client that resets more streams than its budget", async () => {
    const counter = { prompts: 0 };
    t = await startTestServer(
      { streamResetBurst: 20, streamResetRatePerSecond: 1 },
      { routes: countingRoutes(counter) },
    );
    expect(await rapidReset(500)).toBe(H2ErrorCode.ENHANCE_YOUR_CALM);
    const health = await fetch(`${t.address.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it("never runs the handler of a stream reset in the same write as its request", async () => {
    const counter = { prompts: 0 };
    t = await startTestServer(
      { streamResetBurst: 1_000, streamResetRatePerSecond: 1_000 },
      { routes: countingRoutes(counter) },
    );
    const session = http2.connect(t.address.url);
    // Over the same connection pool and after the attack: a normal call still reaches its handler.
    await rapidReset(50, "ping");
    expect(counter.prompts).toBe(0);
    const call = session.request({
      ":method": "POST",
      ":path": "/switchboard.v1.PromptService/Prompt",
      "content-type": "application/grpc",
      te: "trailers",
    });
    call.end(envelope(PROMPT_HI_PROTO));
    await expect.poll(() => counter.prompts).toBe(1);
    call.close(http2.constants.NGHTTP2_CANCEL);
    session.close();
  });

  it("refuses every connection of a client whose connections were calmed three times, until its block ends", async () => {
    t = await startTestServer(
      { streamResetBurst: 5, streamResetRatePerSecond: 1, blockAbusiveClientsMs: 1_000 },
      { routes: countingRoutes({ prompts: 0 }) },
    );
    for (let calmed = 0; calmed < 3; calmed++) {
      expect(await rapidReset(50)).toBe(H2ErrorCode.ENHANCE_YOUR_CALM);
    }
    // Blocked: closed on accept, before any frame.
    expect(await rapidReset(1)).toBeUndefined();
    // Another address is another client.
    expect((await fetch(`${t.address.url}/healthz`)).status).toBe(200);
    await expect
      .poll(async () => rapidReset(50), { timeout: 5_000, interval: 200 })
      .toBe(H2ErrorCode.ENHANCE_YOUR_CALM);
  });

  it("logs resets as one aggregated warn line, not a line per stream", async () => {
    t = await startTestServer(
      { streamResetBurst: 20, streamResetRatePerSecond: 1 },
      { routes: countingRoutes({ prompts: 0 }) },
    );
    await rapidReset(200);
    await t.server.shutdown();
    const resetLines = t.logs.lines.filter((line) => line.streamsReset !== undefined);
    expect(resetLines).toHaveLength(1);
    expect(resetLines[0]).toMatchObject({ level: 40, connectionsCalmed: 1 });
    expect(resetLines[0]?.streamsReset).toBeGreaterThan(20);
    expect(t.logs.lines.filter((line) => line.msg === "rpc finished")).toHaveLength(0);
  });
});
