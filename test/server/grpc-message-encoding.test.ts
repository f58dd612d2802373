import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/switchboard/v1/session_service_pb.js";
import { toMinimalGrpcMessage } from "../../src/server/grpc-message-encoding.js";
import { grpcUnary } from "../support/grpc-js.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

describe("grpc-message encoding", () => {
  it("percent-encodes only non-printable bytes and % (the gRPC spec's minimal form)", () => {
    expect(toMinimalGrpcMessage(encodeURIComponent("model demo:echo; retry, a/b"))).toBe(
      "model demo:echo; retry, a/b",
    );
    expect(toMinimalGrpcMessage(encodeURIComponent("100% café\nnext"))).toBe(
      "100%25 caf%C3%A9%0Anext",
    );
    expect(toMinimalGrpcMessage("%E0%A4%A")).toBe("%E0%A4%A");
  });

  describe("through a grpc-js client", () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway(testConfig());
    });
    afterAll(() => gateway.shutdown());

    it("reads error messages with : ; , / as they were written", async () => {
      const client = new grpc.Client(
        `127.0.0.1:${gateway.port}`,
        grpc.credentials.createInsecure(),
      );
      try {
        const error = await grpcUnary(client, SessionService.method.getSession, {
          sessionId: "no-such-session",
        }).catch((e: unknown) => e as grpc.ServiceError);
        expect(error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
        const { details } = error as grpc.ServiceError;
        expect(details).toMatch(/[":;,]/);
        expect(details).not.toMatch(/%[0-9A-F]{2}/);
        const connect = await gateway.sessions
          .getSession({ sessionId: "no-such-session" })
          .catch((e: unknown) => e as Error);
        expect(details).toBe((connect as { rawMessage?: string }).rawMessage);
      } finally {
        client.close();
      }
    });
  });
});
