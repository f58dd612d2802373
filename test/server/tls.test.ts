import { once } from "node:events";
import * as net from "node:net";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ModelService } from "../../gen/switchboard/v1/model_service_pb.js";
import { PromptService } from "../../gen/switchboard/v1/prompt_service_pb.js";
import { grpcUnary } from "../support/grpc-js.js";
import { createSelfSignedCert, type SelfSignedCert } from "../support/self-signed-cert.js";
import { fakeModelId, startTestServer, type TestServer } from "./server-harness.js";

let cert: SelfSignedCert;
let tls: { certPath: string; keyPath: string };
let ca: Buffer;

beforeAll(() => {
  cert = createSelfSignedCert();
  tls = { certPath: cert.certPath, keyPath: cert.keyPath };
  ca = cert.ca;
});
afterAll(() => cert.remove());

let t: TestServer | undefined;
afterEach(async () => {
  await t?.server.shutdown();
});

describe("TLS on the same port", () => {
  it("serves Connect over HTTP/1.1 and HTTP/2, and gRPC to grpc-js, chosen by ALPN", async () => {
    t = await startTestServer({ tls });
    expect(t.address.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    // By name: Node deprecates an IP address as the TLS server name (RFC 6066).
    const baseUrl = `https://localhost:${t.address.port}`;
    const transports = {
      "1.1": createConnectTransport({ baseUrl, httpVersion: "1.1", nodeOptions: { ca } }),
      "2": createConnectTransport({ baseUrl, httpVersion: "2", nodeOptions: { ca } }),
    };
    for (const [httpVersion, transport] of Object.entries(transports)) {
      const models = await createClient(ModelService, transport).listModels({});
      expect(
        models.models.map((model) => model.id),
        httpVersion,
      ).toEqual([fakeModelId]);
      const texts: string[] = [];
      for await (const event of createClient(PromptService, transport).streamPrompt({
        prompt: "hi",
      })) {
        if (event.event.case === "delta") texts.push(event.event.value.text);
      }
      expect(texts, httpVersion).toHaveLength(3);
    }

    const client = new grpc.Client(`localhost:${t.address.port}`, grpc.credentials.createSsl(ca));
    try {
      const response = await grpcUnary(client, ModelService.method.listModels, {});
      expect(response.models.map((model) => model.id)).toEqual([fakeModelId]);
    } finally {
      client.close();
    }
  });

  it("closes a socket that never starts the TLS handshake after idleTimeoutMs", async () => {
    t = await startTestServer({ tls, idleTimeoutMs: 200 });
    const socket = net.connect(t.address.port, "127.0.0.1");
    await once(socket, "connect");
    const startedMs = performance.now();
    await once(socket, "close");
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(180);
  });
});
