import { once } from "node:events";
import { create, createFileRegistry, fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Health,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/grpc/health/v1/health_pb.js";
import {
  type ServerReflectionResponse,
  ServerReflection as ServerReflectionV1,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { grpcCodec, grpcPath, grpcStatus, grpcUnary } from "../support/grpc-js.js";
import { startTestServer, type TestServer } from "./server-harness.js";

let t: TestServer;
let client: grpc.Client;
beforeEach(async () => {
  t = await startTestServer();
  client = new grpc.Client(`127.0.0.1:${t.address.port}`, grpc.credentials.createInsecure());
});
afterEach(async () => {
  client.close();
  await t.server.shutdown();
});

/** Starts a Watch and hands out its responses one by one. */
function watch(service: string) {
  const method = Health.method.watch;
  const { serialize, deserialize } = grpcCodec(method);
  const call = client.makeServerStreamRequest(
    grpcPath(method),
    serialize,
    deserialize,
    create(method.input, { service }),
  );
  // How the call ended is read from its "status" event; a canceled call also emits "error".
  call.on("error", () => {});
  const received: HealthCheckResponse[] = [];
  const waiting: (() => void)[] = [];
  call.on("data", (response: HealthCheckResponse) => {
    received.push(response);
    waiting.shift()?.();
  });
  return {
    call,
    async next(): Promise<ServingStatus> {
      if (received.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
      return received.shift()!.status;
    },
  };
}

describe("grpc.health.v1.Health", () => {
  it("checks the whole server, liveness, readiness and each registered service", async () => {
    for (const service of ["", "liveness", "readiness", "switchboard.v1.ModelService"]) {
      const response = await grpcUnary(client, Health.method.check, { service });
      expect(response.status, service).toBe(ServingStatus.SERVING);
    }
  });

  it("answers NOT_FOUND to a check of an unknown service", async () => {
    const error = await grpcUnary(client, Health.method.check, { service: "nope.Nope" }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it("reports a status set on the health state", async () => {
    t.server.health.setStatus("switchboard.v1.ModelService", ServingStatus.NOT_SERVING);
    const response = await grpcUnary(client, Health.method.check, {
      service: "switchboard.v1.ModelService",
    });
    expect(response.status).toBe(ServingStatus.NOT_SERVING);
  });

  it("lists every known service with its status", async () => {
    const response = await grpcUnary(client, Health.method.list, {});
    expect(Object.keys(response.statuses).sort()).toEqual(
      [
        "",
        "liveness",
        "readiness",
        "switchboard.v1.ModelService",
        "switchboard.v1.PromptService",
      ].sort(),
    );
  });

  it("watches an unknown service as SERVICE_UNKNOWN until it becomes known", async () => {
    const watcher = watch("later.Service");
    expect(await watcher.next()).toBe(ServingStatus.SERVICE_UNKNOWN);
    t.server.health.setStatus("later.Service", ServingStatus.SERVING);
    expect(await watcher.next()).toBe(ServingStatus.SERVING);
    watcher.call.cancel();
  });

  it("sends SERVING then NOT_SERVING to a watcher when shutdown starts, then ends the watch", async () => {
    const watcher = watch("readiness");
    expect(await watcher.next()).toBe(ServingStatus.SERVING);
    const status = grpcStatus(watcher.call);
    const shutdown = t.server.shutdown();
    expect(await watcher.next()).toBe(ServingStatus.NOT_SERVING);
    expect((await status).code).toBe(grpc.status.OK);
    await shutdown;
  });

  it("answers GET /healthz with 200 while ready and 503 when not", async () => {
    const ready = await fetch(`${t.address.url}/healthz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe("ok\n");
    t.server.health.setStatus("readiness", ServingStatus.NOT_SERVING);
    expect((await fetch(`${t.address.url}/healthz`)).status).toBe(503);
  });
});

type ReflectionRequest = MessageInitShape<
  typeof ServerReflectionV1.method.serverReflectionInfo.input
>;

/** Sends `requests` on one reflection stream and collects the answers. */
async function reflect(
  service: typeof ServerReflectionV1 | typeof ServerReflectionV1alpha,
  requests: ReflectionRequest[],
): Promise<ServerReflectionResponse[]> {
  // v1 and v1alpha share their wire format, so the v1 codec reads both.
  const method = ServerReflectionV1.method.serverReflectionInfo;
  const { serialize, deserialize } = grpcCodec(method);
  const call = client.makeBidiStreamRequest(
    grpcPath(service.method.serverReflectionInfo),
    serialize,
    deserialize,
  );
  const responses: ServerReflectionResponse[] = [];
  call.on("data", (response: ServerReflectionResponse) => responses.push(response));
  const ended = once(call, "end");
  for (const request of requests) call.write(create(method.input, request));
  call.end();
  await ended;
  return responses;
}

function fileNames(response: ServerReflectionResponse | undefined): string[] {
  if (response?.messageResponse.case !== "fileDescriptorResponse") return [];
  return response.messageResponse.value.fileDescriptorProto.map(
    (bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name,
  );
}

describe("grpc.reflection", () => {
  it("lists the switchboard, health and reflection services (v1)", async () => {
    const [response] = await reflect(ServerReflectionV1, [
      { messageRequest: { case: "listServices", value: "" } },
    ]);
    expect(response?.messageResponse.case).toBe("listServicesResponse");
    const names =
      response?.messageResponse.case === "listServicesResponse"
        ? response.messageResponse.value.service.map((s) => s.name)
        : [];
    expect(names).toEqual(
      expect.arrayContaining([
        "switchboard.v1.ModelService",
        "switchboard.v1.PromptService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
      ]),
    );
  });

  it("answers file_containing_symbol with a descriptor that parses with its dependencies", async () => {
    const responses = await reflect(ServerReflectionV1, [
      { messageRequest: { case: "fileContainingSymbol", value: "switchboard.v1.ModelService" } },
      {
        messageRequest: {
          case: "fileContainingSymbol",
          value: "switchboard.v1.ModelService.ListModels",
        },
      },
    ]);
    expect(responses).toHaveLength(2);
    for (const response of responses) {
      const names = fileNames(response);
      expect(names[0]).toBe("switchboard/v1/model_service.proto");
      expect(names).toContain("google/protobuf/timestamp.proto");
      const files =
        response.messageResponse.case === "fileDescriptorResponse"
          ? response.messageResponse.value.fileDescriptorProto.map((bytes) =>
              fromBinary(FileDescriptorProtoSchema, bytes),
            )
          : [];
      const [first, ...rest] = files;
      if (first === undefined) throw new Error("no file in the answer");
      // createFileRegistry throws when an imported file is missing from the answer.
      const registry = createFileRegistry(first, (name) => rest.find((file) => file.name === name));
      expect(registry.getService("switchboard.v1.ModelService")?.methods[0]?.name).toBe(
        "ListModels",
      );
    }
  });

  it("serves the error detail types, so that a client can decode UNAVAILABLE details", async () => {
    const [trail, retryInfo] = await reflect(ServerReflectionV1, [
      { messageRequest: { case: "fileContainingSymbol", value: "switchboard.v1.AttemptTrail" } },
      { messageRequest: { case: "fileContainingSymbol", value: "google.rpc.RetryInfo" } },
    ]);
    expect(fileNames(trail)[0]).toBe("switchboard/v1/errors.proto");
    expect(fileNames(trail)).toContain("switchboard/v1/types.proto");
    expect(fileNames(retryInfo)[0]).toBe("google/rpc/error_details.proto");
  });

  it("answers file_by_filename, and NOT_FOUND for an unknown symbol or file", async () => {
    const [byName, unknownSymbol, unknownFile] = await reflect(ServerReflectionV1, [
      { messageRequest: { case: "fileByFilename", value: "grpc/health/v1/health.proto" } },
      { messageRequest: { case: "fileContainingSymbol", value: "nope.Nope" } },
      { messageRequest: { case: "fileByFilename", value: "nope.proto" } },
    ]);
    expect(fileNames(byName)).toEqual(["grpc/health/v1/health.proto"]);
    for (const response of [unknownSymbol, unknownFile]) {
      expect(response?.messageResponse).toMatchObject({
        case: "errorResponse",
        value: { errorCode: grpc.status.NOT_FOUND },
      });
    }
  });

  it("answers the same questions on v1alpha", async () => {
    const [list, file] = await reflect(ServerReflectionV1alpha, [
      { messageRequest: { case: "listServices", value: "" } },
      { messageRequest: { case: "fileContainingSymbol", value: "switchboard.v1.PromptService" } },
    ]);
    expect(list?.messageResponse.case).toBe("listServicesResponse");
    expect(fileNames(file)[0]).toBe("switchboard/v1/prompt_service.proto");
  });
});
