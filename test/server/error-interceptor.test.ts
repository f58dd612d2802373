import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { AttemptTrailSchema } from "../../gen/switchboard/v1/errors_pb.js";
import { ModelService } from "../../gen/switchboard/v1/model_service_pb.js";
import { PromptService } from "../../gen/switchboard/v1/prompt_service_pb.js";
import { AttemptOutcome } from "../../gen/switchboard/v1/types_pb.js";
import { GatewayError } from "../../src/gateway-error.js";
import { createErrorInterceptor } from "../../src/server/error-interceptor.js";
import { startTestServer, type TestServer } from "./server-harness.js";

const everyModelFailed = new GatewayError("unavailable", "every model failed: try again later", {
  attempts: [{ model: "a:one", outcome: "timeout", durationMs: 12.4, reason: "no first token" }],
  retryAfterMs: 1_500,
});

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer(
    {},
    {
      interceptors: (log) => [createErrorInterceptor(log)],
      routes(router) {
        router.service(ModelService, {
          listModels() {
            throw new TypeError("secret internals at /srv/app.js:42");
          },
        });
        router.service(PromptService, {
          prompt() {
            throw everyModelFailed;
          },
          async *streamPrompt() {
            yield { sequence: 1n, event: { case: "delta", value: { text: "partial" } } };
            throw new GatewayError("not_found", "stream s-1 is unknown or expired");
          },
        });
      },
    },
  );
});
afterEach(async () => {
  await t.server.shutdown();
});

describe("error interceptor", () => {
  it("maps a GatewayError to its code with the attempt trail and retry delay as details, over Connect and gRPC", async () => {
    for (const transport of [
      createConnectTransport({ baseUrl: t.address.url, httpVersion: "1.1" }),
      createGrpcTransport({ baseUrl: t.address.url }),
    ]) {
      const error = ConnectError.from(
        await createClient(PromptService, transport)
          .prompt({ prompt: "hi" })
          .catch((e: unknown) => e),
      );
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toBe("every model failed: try again later");
      const [trail] = error.findDetails(AttemptTrailSchema);
      expect(trail?.attempts).toEqual([
        expect.objectContaining({
          model: "a:one",
          outcome: AttemptOutcome.TIMEOUT,
          durationMs: 12,
        }),
      ]);
      const [retry] = error.findDetails(RetryInfoSchema);
      expect(retry?.retryDelay).toMatchObject({ seconds: 1n, nanos: 500_000_000 });
    }
  });

  it("maps an error in the middle of a stream after the events already sent", async () => {
    const client = createClient(
      PromptService,
      createConnectTransport({ baseUrl: t.address.url, httpVersion: "2" }),
    );
    const texts: string[] = [];
    const error = await (async () => {
      for await (const event of client.streamPrompt({ prompt: "hi" })) {
        if (event.event.case === "delta") texts.push(event.event.value.text);
      }
    })().catch((e: unknown) => e);
    expect(texts).toEqual(["partial"]);
    expect(ConnectError.from(error).code).toBe(Code.NotFound);
  });

  it("answers a bug with INTERNAL and no internals, and logs it with the request id", async () => {
    const response = await fetch(`${t.address.url}/switchboard.v1.ModelService/ListModels`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "bug-1" },
      body: "{}",
    });
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).toContain("internal");
    expect(body).not.toContain("secret");
    const logged = await t.logs.waitFor((line) => line.reqId === "bug-1" && line.level === 50);
    expect(JSON.stringify(logged)).toContain("secret internals");
  });
});
