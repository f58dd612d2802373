import { once } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createConnectRouter,
  createContextValues,
  type Interceptor,
} from "@connectrpc/connect";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  Health,
  HealthCheckRequestSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../../gen/grpc/health/v1/health_pb.js";
import { createLeanConnect } from "../../../src/server/lean-connect/create-lean-connect.js";
import { recordingRouter } from "../../../src/server/lean-connect/recording-router.js";

let server: http.Server | undefined;

afterEach(async () => {
  server?.close();
  server?.closeAllConnections();
  server = undefined;
});

interface Served {
  readonly url: string;
  /** Every RPC the interceptor saw, by method name. */
  readonly intercepted: string[];
  /** Codes reported as refused before the interceptors ran. */
  readonly rejected: Code[];
}

/** A server whose lean path serves grpc.health.v1.Health; anything else answers 599. */
async function serve(): Promise<Served> {
  const intercepted: string[] = [];
  const rejected: Code[] = [];
  const interceptor: Interceptor = (next) => (req) => {
    intercepted.push(req.method.name);
    return next(req);
  };
  const recording = recordingRouter(createConnectRouter());
  recording.router.service(Health, {
    check(request, context) {
      context.responseHeader.set("x-checked", request.service);
      context.responseTrailer.set("x-trailer", "t");
      if (request.service === "missing") throw new ConnectError("no such service", Code.NotFound);
      return { status: ServingStatus.SERVING };
    },
    async *watch(request) {
      if (request.service === "fail") throw new ConnectError("watch failed", Code.Unavailable);
      yield { status: ServingStatus.SERVING };
      yield { status: ServingStatus.NOT_SERVING };
    },
  });
  const lean = createLeanConnect(recording.implementations, {
    handler: { interceptors: [interceptor], readMaxBytes: 1024 },
    contextValues: () => createContextValues(),
    onRejected: (code) => rejected.push(code),
    log: pino({ level: "silent" }),
  });
  server = http.createServer((req, res) => {
    if (lean.handle(req, res)) return;
    res.writeHead(599).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, intercepted, rejected };
}

function envelope(flags: number, data: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(data.byteLength, 1);
  return Buffer.concat([head, data]);
}

/** The envelopes of a Connect streaming response body. */
function envelopes(body: Buffer): { flags: number; data: Buffer }[] {
  const out: { flags: number; data: Buffer }[] = [];
  for (let offset = 0; offset < body.byteLength; ) {
    const length = body.readUInt32BE(offset + 1);
    out.push({ flags: body[offset] ?? 0, data: body.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  return out;
}

describe("createLeanConnect", () => {
  it("answers a Connect JSON unary POST through the interceptors, with headers and trailers", async () => {
    const { url, intercepted } = await serve();
    const response = await fetch(`${url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ service: "a" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-checked")).toBe("a");
    expect(response.headers.get("trailer-x-trailer")).toBe("t");
    expect(await response.json()).toEqual({ status: "SERVING" });
    expect(intercepted).toEqual(["Check"]);
  });

  it("answers a Connect binary unary POST", async () => {
    const { url } = await serve();
    const response = await fetch(`${url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/proto" },
      body: toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service: "b" })),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/proto");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([8, 1]));
  });

  it("answers an error as Connect's JSON error body with its HTTP status", async () => {
    const { url } = await serve();
    const response = await fetch(`${url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ service: "missing" }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ code: "not_found", message: "no such service" });
  });

  it("refuses a malformed message as INVALID_ARGUMENT before the interceptors, and reports it", async () => {
    const { url, intercepted, rejected } = await serve();
    const response = await fetch(`${url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/proto" },
      body: new Uint8Array([0x0a, 0x05, 0x61]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe("invalid_argument");
    expect(intercepted).toEqual([]);
    expect(rejected).toEqual([Code.InvalidArgument]);
  });

  it("refuses a body over readMaxBytes as RESOURCE_EXHAUSTED", async () => {
    const { url } = await serve();
    const response = await fetch(`${url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ service: "x".repeat(2000) }),
    });
    expect(((await response.json()) as { code: string }).code).toBe("resource_exhausted");
  });

  it("streams a server-streaming answer as envelopes ending with the end-stream message", async () => {
    const { url, intercepted } = await serve();
    const request = Buffer.from(JSON.stringify({ service: "a" }));
    const response = await fetch(`${url}/grpc.health.v1.Health/Watch`, {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: envelope(0, request),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/connect+json");
    const frames = envelopes(Buffer.from(await response.arrayBuffer()));
    expect(frames.map((frame) => [frame.flags, JSON.parse(frame.data.toString())])).toEqual([
      [0, { status: "SERVING" }],
      [0, { status: "NOT_SERVING" }],
      [2, {}],
    ]);
    expect(intercepted).toEqual(["Watch"]);
  });

  it("ends a failed stream with the error in the end-stream message", async () => {
    const { url } = await serve();
    const response = await fetch(`${url}/grpc.health.v1.Health/Watch`, {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: envelope(0, Buffer.from(JSON.stringify({ service: "fail" }))),
    });
    expect(response.status).toBe(200);
    const frames = envelopes(Buffer.from(await response.arrayBuffer()));
    expect(frames.map((frame) => [frame.flags, JSON.parse(frame.data.toString())])).toEqual([
      [2, { error: { code: "unavailable", message: "watch failed" } }],
    ]);
  });

  it("answers binary gRPC-Web with the messages, then the status in a trailer frame", async () => {
    const { url, intercepted } = await serve();
    const request = toBinary(
      HealthCheckRequestSchema,
      create(HealthCheckRequestSchema, { service: "missing" }),
    );
    const response = await fetch(`${url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto" },
      body: envelope(0, request),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/grpc-web+proto");
    const frames = envelopes(Buffer.from(await response.arrayBuffer()));
    expect(frames.map((frame) => [frame.flags, frame.data.toString()])).toEqual([
      [0x80, "grpc-message: no%20such%20service\r\ngrpc-status: 5\r\nx-trailer: t\r\n"],
    ]);
    expect(intercepted).toEqual(["Check"]);
  });

  it("leaves gRPC over HTTP/1.1, gRPC-Web text, GET, query strings, unknown paths and mismatched content types to connect-node", async () => {
    const { url, intercepted } = await serve();
    const cases: [string, RequestInit][] = [
      [
        "/grpc.health.v1.Health/Check",
        { method: "POST", headers: { "content-type": "application/grpc" } },
      ],
      [
        "/grpc.health.v1.Health/Check",
        { method: "POST", headers: { "content-type": "application/grpc-web-text" } },
      ],
      ["/grpc.health.v1.Health/Check?encoding=json&message=%7B%7D", { method: "GET" }],
      [
        "/grpc.health.v1.Health/Check?x=1",
        { method: "POST", headers: { "content-type": "application/json" } },
      ],
      [
        "/grpc.health.v1.Health/Nope",
        { method: "POST", headers: { "content-type": "application/json" } },
      ],
      [
        "/grpc.health.v1.Health/Check",
        { method: "POST", headers: { "content-type": "application/connect+json" } },
      ],
      [
        "/grpc.health.v1.Health/Watch",
        { method: "POST", headers: { "content-type": "application/json" } },
      ],
      [
        "/grpc.health.v1.Health/Check",
        { method: "POST", headers: { "content-type": "text/plain" } },
      ],
    ];
    for (const [path, init] of cases) {
      const response = await fetch(`${url}${path}`, {
        ...init,
        body: init.method === "GET" ? undefined : "{}",
      });
      expect(response.status, path).toBe(599);
    }
    expect(intercepted).toEqual([]);
  });
});
