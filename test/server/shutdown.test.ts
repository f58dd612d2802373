import { once } from "node:events";
import * as net from "node:net";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import {
  PromptService,
  type StreamPromptResponse,
} from "../../gen/switchboard/v1/prompt_service_pb.js";
import { channelLeaves, grpcCodec, grpcPath, grpcStatus } from "../support/grpc-js.js";
import { startTestServer, type TestServer } from "./server-harness.js";

let t: TestServer | undefined;
const clients: grpc.Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await t?.server.shutdown();
});

function grpcClient(port: number): grpc.Client {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  clients.push(client);
  return client;
}

/** A StreamPrompt call with grpc-js sending `events` deltas, one every `intervalMs`. */
function streamWithGrpc(client: grpc.Client, events: number, intervalMs: number) {
  const method = PromptService.method.streamPrompt;
  const { serialize, deserialize } = grpcCodec(method);
  const call = client.makeServerStreamRequest(
    grpcPath(method),
    serialize,
    deserialize,
    create(method.input, {
      prompt: "slow",
      metadata: { events: String(events), intervalMs: String(intervalMs) },
    }),
  );
  call.on("error", () => {}); // the "status" event tells how the call ended
  const received: StreamPromptResponse[] = [];
  call.on("data", (event: StreamPromptResponse) => received.push(event));
  return { call, received, firstEvent: once(call, "data"), status: grpcStatus(call) };
}

/** Resolves with the error code of a TCP connection attempt, or "connected". */
async function tryConnect(port: number): Promise<string> {
  const socket = net.connect(port, "127.0.0.1");
  try {
    await once(socket, "connect");
    return "connected";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? "unknown";
  } finally {
    socket.destroy();
  }
}

describe("graceful shutdown", () => {
  it("lets an in-flight gRPC stream finish after GOAWAY while new connections are refused", async () => {
    t = await startTestServer();
    const client = grpcClient(t.address.port);
    const stream = streamWithGrpc(client, 5, 100);
    await stream.firstEvent;
    expect(t.server.inFlight()).toBe(1);
    expect(client.getChannel().getConnectivityState(false)).toBe(grpc.connectivityState.READY);
    // GOAWAY takes the channel out of READY while the stream is still running on it.
    const leftReady = channelLeaves(client, grpc.connectivityState.READY);

    const shutdown = t.server.shutdown();
    expect(await tryConnect(t.address.port)).toBe("ECONNREFUSED");
    expect(t.server.health.getStatus("readiness")).toBe(ServingStatus.NOT_SERVING);
    expect(t.server.health.getStatus("liveness")).toBe(ServingStatus.SERVING);

    expect(await leftReady).not.toBe(grpc.connectivityState.READY);
    expect(stream.received.length).toBeLessThan(5);

    expect((await stream.status).code).toBe(grpc.status.OK);
    expect(stream.received).toHaveLength(5);
    await shutdown;
    expect(t.server.inFlight()).toBe(0);
    expect(t.server.health.getStatus("liveness")).toBe(ServingStatus.NOT_SERVING);
  });

  it("lets an in-flight HTTP/1.1 stream finish and then closes its keep-alive connection", async () => {
    t = await startTestServer({ shutdownGraceMs: 10_000 });
    const client = createClient(
      PromptService,
      createConnectTransport({ baseUrl: t.address.url, httpVersion: "1.1" }),
    );
    const texts: string[] = [];
    let shutdown: Promise<void> | undefined;
    const startedMs = performance.now();
    for await (const event of client.streamPrompt({
      prompt: "slow",
      metadata: { events: "4", intervalMs: "100" },
    })) {
      if (event.event.case === "delta") texts.push(event.event.value.text);
      shutdown ??= t.server.shutdown();
    }
    expect(texts).toHaveLength(4);
    await shutdown;
    // Well inside the grace period: nothing waited for an idle keep-alive socket to time out.
    expect(performance.now() - startedMs).toBeLessThan(5_000);
  });

  it("destroys connections still busy when the grace period ends", async () => {
    t = await startTestServer({ shutdownGraceMs: 200 });
    const stream = streamWithGrpc(grpcClient(t.address.port), 1_000, 50);
    await stream.firstEvent;
    await t.server.shutdown();
    expect((await stream.status).code).not.toBe(grpc.status.OK);
    expect(stream.received.length).toBeLessThan(1_000);
  });
});
