import {
  create,
  type DescMessage,
  type DescMethod,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { type Any, AnySchema, anyUnpack } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/grpc/health/v1/health_pb.js";
import { AttemptTrailSchema } from "../../gen/switchboard/v1/errors_pb.js";
import {
  PromptService,
  type StreamPromptResponse,
} from "../../gen/switchboard/v1/prompt_service_pb.js";
import { SessionService } from "../../gen/switchboard/v1/session_service_pb.js";
import { grpcCodec, grpcPath } from "../support/grpc-js.js";
import {
  CALL_TIMEOUT_MS,
  type CaseName,
  type CaseResult,
  DEADLINE_MS,
  describeTrail,
  FAILING_MODEL,
  fail,
  judgeStream,
  PROMPT,
  type SeenEvent,
  SLOW_MODEL,
  UNKNOWN_SESSION_ID,
} from "./interop-cases.js";

type Outcome<T> = { readonly response: T } | { readonly error: grpc.ServiceError };

/** Runs every case of the matrix with @grpc/grpc-js against the gateway at `address` (host:port). */
export async function runGrpcJsCases(address: string): Promise<CaseResult[]> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    const deadline = () => Date.now() + CALL_TIMEOUT_MS;
    const results: CaseResult[] = [];

    const unary = await call(client, PromptService.method.prompt, { prompt: PROMPT }, deadline());
    const unaryText = "response" in unary ? unary.response.text : "";
    results.push(
      "response" in unary
        ? { case: "unary", ok: unaryText.includes("[demo]"), detail: unaryText }
        : fail("unary", unary.error.message),
    );

    results.push(await streamCase(client, unaryText, deadline()));

    const unavailable = await call(
      client,
      PromptService.method.prompt,
      { prompt: PROMPT, models: [FAILING_MODEL] },
      deadline(),
    );
    results.push(expectCode("unavailable", unavailable, grpc.status.UNAVAILABLE, attemptTrail));

    const notFound = await call(
      client,
      SessionService.method.getSession,
      { sessionId: UNKNOWN_SESSION_ID },
      deadline(),
    );
    results.push(expectCode("not-found", notFound, grpc.status.NOT_FOUND));

    const late = await call(
      client,
      PromptService.method.prompt,
      { prompt: PROMPT, models: [SLOW_MODEL] },
      Date.now() + DEADLINE_MS,
    );
    results.push(expectCode("deadline", late, grpc.status.DEADLINE_EXCEEDED));

    const health = await call(client, Health.method.check, { service: "" }, deadline());
    results.push(
      "response" in health
        ? {
            case: "health",
            ok: health.response.status === ServingStatus.SERVING,
            detail: ServingStatus[health.response.status] ?? String(health.response.status),
          }
        : fail("health", health.error.message),
    );
    return results;
  } finally {
    client.close();
  }
}

/** A unary call that resolves with its response or its error. */
function call<I extends DescMessage, O extends DescMessage>(
  client: grpc.Client,
  method: DescMethod & { input: I; output: O },
  request: MessageInitShape<I>,
  deadlineMs: number,
): Promise<Outcome<MessageShape<O>>> {
  const { serialize, deserialize } = grpcCodec(method);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      grpcPath(method),
      serialize,
      deserialize,
      create(method.input, request),
      { deadline: deadlineMs },
      (error, response) =>
        resolve(error ? { error } : response ? { response } : { error: noResponse() }),
    );
  });
}

function noResponse(): grpc.ServiceError {
  return Object.assign(new Error("no response"), {
    code: grpc.status.UNKNOWN,
    details: "no response",
    metadata: new grpc.Metadata(),
  });
}

async function streamCase(
  client: grpc.Client,
  unaryText: string,
  deadlineMs: number,
): Promise<CaseResult> {
  const method = PromptService.method.streamPrompt;
  const { serialize, deserialize } = grpcCodec(method);
  const stream = client.makeServerStreamRequest(
    grpcPath(method),
    serialize,
    deserialize,
    create(method.input, { prompt: PROMPT }),
    new grpc.Metadata(),
    { deadline: deadlineMs },
  );
  const events: SeenEvent[] = [];
  try {
    for await (const event of stream as AsyncIterable<StreamPromptResponse>) {
      events.push({
        sequence: Number(event.sequence),
        kind: event.event.case ?? "none",
        text: event.event.case === "delta" ? event.event.value.text : "",
      });
    }
  } catch (error) {
    return fail("stream", error instanceof Error ? error.message : String(error));
  }
  return judgeStream(events, unaryText);
}

function expectCode(
  name: CaseName,
  outcome: Outcome<unknown>,
  code: grpc.status,
  describe: (error: grpc.ServiceError) => CaseResult = (error) => ({
    case: name,
    ok: true,
    detail: error.details,
  }),
): CaseResult {
  if ("response" in outcome) return fail(name, "the call succeeded");
  if (outcome.error.code !== code) {
    return fail(
      name,
      `want ${grpc.status[code]}, got ${grpc.status[outcome.error.code]}: ${outcome.error.details}`,
    );
  }
  return describe(outcome.error);
}

/** Decodes the switchboard.v1.AttemptTrail detail from the grpc-status-details-bin trailer. */
function attemptTrail(error: grpc.ServiceError): CaseResult {
  const [bytes] = error.metadata.get("grpc-status-details-bin");
  if (!(bytes instanceof Buffer)) return fail("unavailable", "no grpc-status-details-bin trailer");
  for (const detail of statusDetails(bytes)) {
    const trail = anyUnpack(detail, AttemptTrailSchema);
    if (trail === undefined) continue;
    return { case: "unavailable", ok: true, detail: describeTrail(trail) };
  }
  return fail("unavailable", "no AttemptTrail among the status details");
}

/**
 * The `details` of a serialized google.rpc.Status (field 3, repeated Any). gen/ has no
 * google/rpc/status.proto, and the status has only this one field the case needs.
 */
function statusDetails(bytes: Uint8Array): Any[] {
  const reader = new BinaryReader(bytes);
  const details: Any[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 3) details.push(fromBinary(AnySchema, reader.bytes()));
    else reader.skip(wireType);
  }
  return details;
}
