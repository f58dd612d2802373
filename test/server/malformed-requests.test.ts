import { once } from "node:events";
import * as http2 from "node:http2";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { PromptService } from "../../gen/switchboard/v1/prompt_service_pb.js";
import { envelope, PROMPT_HI_PROTO } from "../abuse/h2-frames.js";
import { startTestServer, type TestServer } from "./server-harness.js";

/** Field 1 (prompt) announced with 255 bytes, followed by none: not a protobuf message. */
const malformedProto = Buffer.from([0x0a, 0xff, 0x01]);
const promptPath = "/switchboard.v1.PromptService/Prompt";

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ maxConcurrentCallsPerClient: 3 });
});
afterEach(async () => {
  await t.server.shutdown();
});

interface H2Answer {
  readonly status: number;
  readonly grpcStatus: string | undefined;
  readonly grpcMessage: string | undefined;
}

/** One gRPC call over HTTP/2 with a raw body; reads the status from headers or trailers. */
async function grpcCall(body: Buffer, headers: http2.OutgoingHttpHeaders = {}): Promise<H2Answer> {
  const session = http2.connect(t.address.url);
  try {
    const call = session.request({
      ":method": "POST",
      ":path": promptPath,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    call.end(body);
    let status = 0;
    let fields: http2.IncomingHttpHeaders = {};
    call.on("response", (h) => {
      status = Number(h[":status"]);
      fields = { ...fields, ...h };
    });
    call.on("trailers", (h) => {
      fields = { ...fields, ...h };
    });
    call.resume();
    await once(call, "close");
    return {
      status,
      grpcStatus: fields["grpc-status"] as string | undefined,
      grpcMessage: fields["grpc-message"] as string | undefined,
    };
  } finally {
    session.close();
  }
}

describe("malformed and unusual requests", () => {
  it("answers a request message that is not protobuf with INVALID_ARGUMENT over gRPC, gRPC-Web and Connect", async () => {
    const grpc = await grpcCall(envelope(malformedProto));
    expect(grpc.grpcStatus).toBe(String(Code.InvalidArgument));

    const grpcWeb = await fetch(`${t.address.url}${promptPath}`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
      body: envelope(malformedProto),
    });
    const trailer = Buffer.from(await grpcWeb.arrayBuffer());
    expect(trailer[0]).toBe(0x80);
    expect(trailer.subarray(5).toString()).toMatch(/grpc-status: ?3\r\n/);

    const connect = await fetch(`${t.address.url}${promptPath}`, {
      method: "POST",
      headers: { "content-type": "application/proto", "x-request-id": "malformed-1" },
      body: malformedProto,
    });
    expect(connect.status).toBe(400);
    expect(await connect.json()).toMatchObject({ code: "invalid_argument" });
    await expect(t.logs.waitFor((line) => line.reqId === "malformed-1")).resolves.toMatchObject({
      code: "invalid_argument",
      rejected: true,
      level: 30,
    });
  });

  it("keeps a deadline longer than a timer can hold instead of failing it at once", async () => {
    const grpc = await grpcCall(envelope(PROMPT_HI_PROTO), { "grpc-timeout": "597H" });
    expect(grpc.grpcStatus).toBe("0");
    const tooManyDigits = await grpcCall(envelope(PROMPT_HI_PROTO), {
      "grpc-timeout": "99999999999S",
    });
    expect(tooManyDigits.grpcStatus).toBe("0");
    const connect = await fetch(`${t.address.url}${promptPath}`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-timeout-ms": "2147483648" },
      body: JSON.stringify({ prompt: "hi" }),
    });
    expect(connect.status).toBe(200);
  });

  it("sends x-request-id on every response, RPC or not", async () => {
    for (const path of ["/healthz", "/no/such/thing"]) {
      const response = await fetch(`${t.address.url}${path}`, {
        headers: { "x-request-id": "plain-7" },
      });
      await response.arrayBuffer();
      expect(response.headers.get("x-request-id")).toBe("plain-7");
    }
  });

  it("logs a stream its client walked away from as canceled", async () => {
    const client = createClient(
      PromptService,
      createConnectTransport({ baseUrl: t.address.url, httpVersion: "1.1" }),
    );
    const abort = new AbortController();
    const stream = client.streamPrompt(
      { prompt: "hi", metadata: { events: "100", intervalMs: "20" } },
      { signal: abort.signal, headers: { "x-request-id": "walked-away" } },
    );
    const walkedAway = (async () => {
      for await (const _event of stream) abort.abort();
    })();
    await expect(walkedAway).rejects.toThrow(ConnectError);
    await expect(t.logs.waitFor((line) => line.reqId === "walked-away")).resolves.toMatchObject({
      code: "canceled",
      msg: "rpc finished",
    });
  });

  it("refuses calls beyond maxConcurrentCallsPerClient with RESOURCE_EXHAUSTED and a retry delay", async () => {
    const client = createClient(
      PromptService,
      createConnectTransport({ baseUrl: t.address.url, httpVersion: "2" }),
    );
    const abort = new AbortController();
    const slow = [1, 2, 3].map(() =>
      client.streamPrompt(
        { prompt: "hi", metadata: { events: "1000", intervalMs: "20" } },
        { signal: abort.signal },
      ),
    );
    // Each stream is in progress once its first event arrived.
    const iterators = slow.map((s) => s[Symbol.asyncIterator]());
    await Promise.all(iterators.map((it) => it.next()));
    const refused = await client.prompt({ prompt: "hi" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).code).toBe(Code.ResourceExhausted);
    const [retryInfo] = (refused as ConnectError).findDetails(RetryInfoSchema);
    expect(retryInfo?.retryDelay?.seconds).toBe(1n);
    // Health is never refused.
    expect((await fetch(`${t.address.url}/healthz`)).status).toBe(200);
    abort.abort();
    await Promise.all(iterators.map((it) => it.next().catch(() => undefined)));
    // The slots are free again once the streams have closed.
    await expect
      .poll(async () => (await client.prompt({ prompt: "again" }).catch(() => undefined))?.text)
      .toBe("echo: again");
  });
});
