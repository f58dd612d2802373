import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModelService } from "../../gen/switchboard/v1/model_service_pb.js";
import { PromptService } from "../../gen/switchboard/v1/prompt_service_pb.js";
import { grpcUnary } from "../support/grpc-js.js";
import { fakeModelId, startTestServer, type TestServer } from "./server-harness.js";

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ maxMessageBytes: 1024 });
});
afterEach(async () => {
  await t.server.shutdown();
});

const listModelsPath = "/switchboard.v1.ModelService/ListModels";

function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${t.address.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe("one port, every protocol", () => {
  it("answers Connect JSON over HTTP/1.1 from a plain fetch", async () => {
    const response = await postJson(listModelsPath, {});
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = (await response.json()) as { models: { id: string; state: string }[] };
    expect(body.models).toEqual([
      expect.objectContaining({ id: fakeModelId, state: "MODEL_STATE_READY" }),
    ]);
  });

  const transports: Record<string, () => Transport> = {
    "Connect over h2c": () => createConnectTransport({ baseUrl: t.address.url, httpVersion: "2" }),
    "Connect binary over HTTP/1.1": () =>
      createConnectTransport({ baseUrl: t.address.url, httpVersion: "1.1", useBinaryFormat: true }),
    "gRPC-Web over HTTP/1.1": () =>
      createGrpcWebTransport({ baseUrl: t.address.url, httpVersion: "1.1" }),
    "gRPC-Web over h2c": () => createGrpcWebTransport({ baseUrl: t.address.url, httpVersion: "2" }),
    "gRPC (connect-node) over h2c": () => createGrpcTransport({ baseUrl: t.address.url }),
  };
  for (const [name, transport] of Object.entries(transports)) {
    it(`answers the same unary call with ${name}`, async () => {
      const client = createClient(ModelService, transport());
      const response = await client.listModels({});
      expect(response.models.map((model) => model.id)).toEqual([fakeModelId]);
    });
  }

  it("answers the same unary call to a grpc-js client on the same port", async () => {
    const client = new grpc.Client(
      `127.0.0.1:${t.address.port}`,
      grpc.credentials.createInsecure(),
    );
    try {
      const response = await grpcUnary(client, ModelService.method.listModels, {});
      expect(response.models.map((model) => model.id)).toEqual([fakeModelId]);
    } finally {
      client.close();
    }
  });

  it("streams server-streaming responses over HTTP/1.1 and h2c", async () => {
    for (const httpVersion of ["1.1", "2"] as const) {
      const client = createClient(
        PromptService,
        createConnectTransport({ baseUrl: t.address.url, httpVersion }),
      );
      const texts: string[] = [];
      for await (const event of client.streamPrompt({ prompt: "hi", metadata: { events: "3" } })) {
        if (event.event.case === "delta") texts.push(event.event.value.text);
      }
      expect(texts.join("")).toBe("word1 word2 word3 ");
    }
  });
});

describe("limits and bad requests", () => {
  it("answers RESOURCE_EXHAUSTED to a message over maxMessageBytes and keeps serving", async () => {
    const client = createClient(
      PromptService,
      createConnectTransport({ baseUrl: t.address.url, httpVersion: "2" }),
    );
    const error = await client.prompt({ prompt: "x".repeat(2_000) }).catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.ResourceExhausted);

    const grpcClient = new grpc.Client(
      `127.0.0.1:${t.address.port}`,
      grpc.credentials.createInsecure(),
    );
    try {
      const grpcError = await grpcUnary(grpcClient, PromptService.method.prompt, {
        prompt: "x".repeat(2_000),
      }).catch((e: unknown) => e);
      expect(grpcError).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    } finally {
      grpcClient.close();
    }

    const answer = await client.prompt({ prompt: "small" });
    expect(answer.text).toBe("echo: small");
  });

  it("answers 415 to an RPC posted as text/plain and keeps serving", async () => {
    const response = await fetch(`${t.address.url}${listModelsPath}`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{}",
    });
    expect(response.status).toBe(415);
    expect((await postJson(listModelsPath, {})).status).toBe(200);
  });

  it("answers a JSON 404 UNIMPLEMENTED to a path that is no RPC", async () => {
    const response = await fetch(`${t.address.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "unimplemented" });
  });
});

describe("request ids and the RPC log", () => {
  it("echoes a sane x-request-id, hands it to the handler and logs one line with code and duration", async () => {
    const response = await postJson(
      "/switchboard.v1.PromptService/Prompt",
      { prompt: "hi" },
      { "x-request-id": "req-42.a:b" },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("req-42.a:b");
    expect(response.headers.get("x-seen-request-id")).toBe("req-42.a:b");

    const line = await t.logs.waitFor((l) => l.reqId === "req-42.a:b");
    expect(line).toMatchObject({
      level: 30,
      rpc: "switchboard.v1.PromptService/Prompt",
      code: "ok",
      durationMs: expect.any(Number),
    });
    expect(t.logs.lines.filter((l) => l.reqId === "req-42.a:b")).toHaveLength(1);
  });

  it("logs one line per RPC over HTTP/2 as well, with the caller's request id", async () => {
    const client = createClient(
      PromptService,
      createConnectTransport({ baseUrl: t.address.url, httpVersion: "2" }),
    );
    await client.prompt({ prompt: "hi" }, { headers: { "x-request-id": "h2-unary" } });
    for await (const _ of client.streamPrompt(
      { prompt: "hi" },
      { headers: { "x-request-id": "h2-stream" } },
    )) {
      // drain the stream
    }
    await expect(t.logs.waitFor((l) => l.reqId === "h2-unary")).resolves.toMatchObject({
      code: "ok",
    });
    await expect(t.logs.waitFor((l) => l.reqId === "h2-stream")).resolves.toMatchObject({
      rpc: "switchboard.v1.PromptService/StreamPrompt",
      code: "ok",
    });
  });

  it("replaces a missing or insane x-request-id with a UUID", async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const missing = await postJson("/switchboard.v1.PromptService/Prompt", { prompt: "hi" });
    expect(missing.headers.get("x-request-id")).toMatch(uuid);
    for (const insaneId of ["a b <script>", "x".repeat(200)]) {
      const insane = await postJson(
        "/switchboard.v1.PromptService/Prompt",
        { prompt: "hi" },
        { "x-request-id": insaneId },
      );
      const id = insane.headers.get("x-request-id");
      expect(id).toMatch(uuid);
      expect(insane.headers.get("x-seen-request-id")).toBe(id);
    }
  });

  it("logs the error code of a failed RPC and the HTTP status of one rejected before its handler", async () => {
    const unimplemented = await postJson(
      "/switchboard.v1.PromptService/CancelStream",
      { streamId: "x" },
      { "x-request-id": "cancel-1" },
    );
    expect(unimplemented.status).toBe(501);
    await expect(t.logs.waitFor((l) => l.reqId === "cancel-1")).resolves.toMatchObject({
      code: "unimplemented",
    });

    await fetch(`${t.address.url}${listModelsPath}`, {
      method: "POST",
      headers: { "content-type": "text/plain", "x-request-id": "plain-1" },
      body: "{}",
    });
    await expect(t.logs.waitFor((l) => l.reqId === "plain-1")).resolves.toMatchObject({
      status: 415,
      rejected: true,
      rpc: "switchboard.v1.ModelService/ListModels",
    });
  });
});

describe("CORS", () => {
  const preflight = (origin: string) =>
    fetch(`${t.address.url}${listModelsPath}`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,connect-protocol-version",
      },
    });

  it("answers a preflight from an allowed origin with 204 and the allow headers", async () => {
    const response = await preflight("https://app.example.com");
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
      "connect-protocol-version",
    );
  });

  it("exposes the session and request id headers on an allowed origin's response", async () => {
    const response = await postJson(listModelsPath, {}, { origin: "https://app.example.com" });
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const exposed = response.headers.get("access-control-expose-headers")?.toLowerCase() ?? "";
    expect(exposed).toContain("x-session-id");
    expect(exposed).toContain("grpc-status");
  });

  it("sends no allow-origin header to a disallowed origin", async () => {
    const response = await preflight("https://evil.example.com");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const simple = await postJson(listModelsPath, {}, { origin: "https://evil.example.com" });
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
  });
});
