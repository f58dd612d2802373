import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HealthCheckRequestSchema,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
} from "../../gen/grpc/health/v1/health_pb.js";
import {
  PromptService,
  StreamPromptRequestSchema,
  type StreamPromptResponse,
  StreamPromptResponseSchema,
} from "../../gen/switchboard/v1/prompt_service_pb.js";
import { grpcUnary } from "../support/grpc-js.js";
import { createSelfSignedCert, type SelfSignedCert } from "../support/self-signed-cert.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

const prompt = "one port, four protocols";

function grpcStream(
  client: grpc.Client,
  request: { prompt: string },
): Promise<StreamPromptResponse[]> {
  const call = client.makeServerStreamRequest(
    "/switchboard.v1.PromptService/StreamPrompt",
    (value: ReturnType<typeof create<typeof StreamPromptRequestSchema>>) =>
      Buffer.from(toBinary(StreamPromptRequestSchema, value)),
    (bytes: Buffer) => fromBinary(StreamPromptResponseSchema, bytes),
    create(StreamPromptRequestSchema, request),
  );
  const events: StreamPromptResponse[] = [];
  return new Promise((resolve, reject) => {
    call.on("data", (event: StreamPromptResponse) => events.push(event));
    call.on("error", reject);
    call.on("end", () => resolve(events));
  });
}

describe("the same PromptService on one cleartext port", () => {
  let gateway: TestGateway;
  let grpcClient: grpc.Client;

  beforeAll(async () => {
    gateway = await startTestGateway(testConfig());
    grpcClient = new grpc.Client(`127.0.0.1:${gateway.port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    grpcClient.close();
    await gateway.shutdown();
  });

  it("answers Connect JSON over HTTP/1.1 (curl's way), Connect over h2c, gRPC and gRPC-Web alike", async () => {
    const curlLike = await fetch(`${gateway.url}/switchboard.v1.PromptService/Prompt`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt }),
    });
    expect(curlLike.status).toBe(200);
    const json = (await curlLike.json()) as {
      text: string;
      sessionId: string;
      model: string;
      result: string;
    };
    expect(curlLike.headers.get("x-session-id")).toBe(json.sessionId);
    expect(json.result).toBe("RESULT_COMPLETE");
    expect(json.model).toBe("demo:echo");

    const h2c: Client<typeof PromptService> = createClient(
      PromptService,
      createConnectTransport({ baseUrl: gateway.url, httpVersion: "2" }),
    );
    const grpcWeb = createClient(
      PromptService,
      createGrpcWebTransport({ baseUrl: gateway.url, httpVersion: "1.1" }),
    );
    const answers = await Promise.all([
      h2c.prompt({ prompt }),
      grpcUnary(grpcClient, PromptService.method.prompt, { prompt }),
      grpcWeb.prompt({ prompt }),
    ]);
    for (const answer of answers) expect(answer.text).toBe(json.text);
  });

  it("streams to a grpc-js client and ends with completed", async () => {
    const events = await grpcStream(grpcClient, { prompt });
    expect(events[0]?.event.case).toBe("started");
    expect(events.at(-1)?.event.case).toBe("completed");
  });

  it("reports NOT_FOUND to a grpc-js client as gRPC status 5", async () => {
    const error = await grpcUnary(grpcClient, PromptService.method.prompt, {
      prompt,
      sessionId: "6f1c1a52-3f0e-4a7e-9a56-1f2f0c0f9d11",
    }).catch((e: unknown) => e as grpc.ServiceError);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
  });

  it("answers health checks for each switchboard service", async () => {
    for (const service of [
      "",
      "readiness",
      "switchboard.v1.PromptService",
      "switchboard.v1.SessionService",
    ]) {
      const response = await new Promise<
        ReturnType<typeof fromBinary<typeof HealthCheckResponseSchema>>
      >((resolve, reject) =>
        grpcClient.makeUnaryRequest(
          "/grpc.health.v1.Health/Check",
          (value: ReturnType<typeof create<typeof HealthCheckRequestSchema>>) =>
            Buffer.from(toBinary(HealthCheckRequestSchema, value)),
          (bytes: Buffer) => fromBinary(HealthCheckResponseSchema, bytes),
          create(HealthCheckRequestSchema, { service }),
          (error, value) => (error || !value ? reject(error) : resolve(value)),
        ),
      );
      expect(response.status, service).toBe(HealthCheckResponse_ServingStatus.SERVING);
    }
  });
});

describe("the same PromptService over TLS", () => {
  let cert: SelfSignedCert;
  let gateway: TestGateway;

  beforeAll(async () => {
    cert = createSelfSignedCert();
    gateway = await startTestGateway(
      testConfig({ server: { tls: { certPath: cert.certPath, keyPath: cert.keyPath } } }),
    );
  });
  afterAll(async () => {
    await gateway.shutdown();
    cert.remove();
  });

  it("answers Connect over HTTP/1.1 and HTTP/2 and gRPC, chosen by ALPN", async () => {
    expect(gateway.url).toMatch(/^https:/);
    const baseUrl = `https://localhost:${gateway.port}`;
    const clients = (["1.1", "2"] as const).map((httpVersion) =>
      createClient(
        PromptService,
        createConnectTransport({ baseUrl, httpVersion, nodeOptions: { ca: cert.ca } }),
      ),
    );
    const grpcClient = new grpc.Client(
      `localhost:${gateway.port}`,
      grpc.credentials.createSsl(cert.ca),
    );
    try {
      const answers = await Promise.all([
        ...clients.map((client) => client.prompt({ prompt })),
        grpcUnary(grpcClient, PromptService.method.prompt, { prompt }),
      ]);
      expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
      expect(answers[0]?.text).toContain(prompt);
    } finally {
      grpcClient.close();
    }
  });
});
