import type { ServerResponse } from "node:http";
import { beforeHeadersSteps } from "../fake-common-faults.js";
import { createFaultStates, type FaultState } from "../fake-fault-states.js";
import { type FakeUpstreamControls, fakeUpstreamControls } from "../fake-upstream-controls.js";
import { type RecordedUpstreamRequest, startFakeUpstream } from "../fake-upstream-server.js";
import { type ErrorFixture, errorOf } from "./bedrock-fixtures.js";
import { converseBody, type ParsedConverseRequest, streamSteps } from "./fake-bedrock-answers.js";
import { sendBedrockEcho } from "./fake-bedrock-echo.js";
import {
  type FakeBedrockFault,
  type FakeBedrockFaultName,
  parseBedrockFault,
} from "./fake-bedrock-faults.js";

export { fakeBedrockAnswer } from "./fake-bedrock-answers.js";
export type { FakeBedrockFaultName } from "./fake-bedrock-faults.js";

/**
 * One request the fake received; `path` is the raw path, e.g.
 * "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream".
 */
export interface RecordedBedrockRequest extends RecordedUpstreamRequest {
  /** "converse", "converse-stream", or undefined for any other path. */
  readonly operation: "converse" | "converse-stream" | undefined;
  /** The model id, URL-decoded from the path. */
  readonly modelId: string | undefined;
}

/** A running fake Bedrock Runtime server on 127.0.0.1. */
export interface FakeBedrock
  extends FakeUpstreamControls<RecordedBedrockRequest, FakeBedrockFaultName> {
  /** "http://127.0.0.1:<port>": use as the provider's `baseUrl` (the SDK's endpoint). */
  readonly baseUrl: string;
  /** The region the fake expects in the SigV4 credential scope. */
  readonly region: string;
}

/** Options of `startFakeBedrock`. */
export interface FakeBedrockOptions {
  /** The region requests must be signed for. Default "us-east-1". */
  readonly region?: string;
}

const PATH = /^\/model\/([^/]+)\/(converse|converse-stream)$/;
const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([^/]+)\/bedrock\/aws4_request, ?SignedHeaders=[^,]+, ?Signature=[0-9a-f]{64}$/;

/**
 * Starts a real HTTP/1.1 server speaking the Bedrock Runtime REST protocol:
 * `POST /model/{modelId}/converse` (JSON) and `POST /model/{modelId}/converse-stream`
 * (`application/vnd.amazon.eventstream`: binary event-stream messages with `:event-type`,
 * `:content-type` and `:message-type` headers). Errors are a status, an `x-amzn-ErrorType`
 * header and a JSON `{message}`, as AWS sends them; in-stream exceptions are
 * `:message-type: exception` frames. A request must carry a SigV4 `authorization` header for
 * service `bedrock` scoped to the fake's region (else 403 as AWS answers). What a request gets
 * depends on its model id; see `FakeBedrockFaultName`. The normal answer is
 * "Answer from <model>: <last user message>" in ~5 deltas, with usage.
 */
export async function startFakeBedrock(options: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  const region = options.region ?? "us-east-1";
  const faults = createFaultStates(parseBedrockFault);

  const upstream = await startFakeUpstream<RecordedBedrockRequest>({
    record(common) {
      const match = PATH.exec(common.path);
      const modelId = match?.[1] === undefined ? undefined : safeDecode(match[1]);
      const operation = match?.[2] as RecordedBedrockRequest["operation"];
      return { ...common, operation, modelId };
    },
    modelOf: (record) => record.modelId,
    handle({ record, req, res }) {
      const { modelId, operation } = record;
      if (req.method !== "POST" || modelId === undefined || operation === undefined) {
        return sendError(res, "not-found");
      }
      const scope = SIGV4.exec(req.headers.authorization ?? "");
      if (scope === null) return sendError(res, "missing-auth");
      if (scope[1] !== region) return sendError(res, "wrong-region");
      const parsed = parseRequest(modelId, record.body);
      if (parsed === undefined) return sendError(res, "validation");
      const state = faults.serve(modelId);
      if (state.fault.kind === "echo") return sendBedrockEcho(res, record, state.fault);
      respond(res, parsed, state, operation);
    },
  });

  function respond(
    res: ServerResponse,
    request: ParsedConverseRequest,
    { fault, served }: FaultState<FakeBedrockFault>,
    operation: "converse" | "converse-stream",
  ): void {
    if (fault.kind === "error" && served <= fault.firstRequests) {
      sendError(res, fault.fixture);
      return;
    }
    const early = beforeHeadersSteps(fault);
    if (early !== undefined) return void upstream.play(res, early);
    const requestId = `fake-${upstream.requests.length}`;
    if (operation === "converse") {
      res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": requestId });
      res.end(converseBody(request, fault));
      return;
    }
    res.writeHead(200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-requestid": requestId,
    });
    // One write per event loop turn, so that the bytes leave in separate TCP segments.
    const flushEachWrite = fault.kind === "one-byte-chunks";
    void upstream.play(res, streamSteps(request, fault), { flushEachWrite });
  }

  return {
    baseUrl: upstream.origin,
    region,
    ...fakeUpstreamControls(upstream, faults),
  };
}

function sendError(res: ServerResponse, fixture: ErrorFixture): void {
  const { status, type, message } = errorOf(fixture);
  res.writeHead(status, {
    "content-type": "application/json",
    // AWS appends the shape's namespace after a colon; the SDK strips it.
    "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    "x-amzn-requestid": "fake-error",
  });
  res.end(JSON.stringify({ message }));
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return "";
  return content
    .map((block: unknown) =>
      typeof block === "object" && block !== null && "text" in block ? String(block.text) : "",
    )
    .join("");
}

function parseRequest(modelId: string, body: unknown): ParsedConverseRequest | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { messages, system } = body as Record<string, unknown>;
  if (!Array.isArray(messages)) return undefined;
  const parsedMessages = messages.flatMap((message: unknown) => {
    if (typeof message !== "object" || message === null) return [];
    const { role, content } = message as Record<string, unknown>;
    return typeof role === "string" ? [{ role, text: textOf(content) }] : [];
  });
  const systemTexts = Array.isArray(system) ? system.map((block) => textOf([block])) : [];
  return { modelId, system: systemTexts, messages: parsedMessages };
}
