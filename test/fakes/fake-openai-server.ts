import type { ServerResponse } from "node:http";
import { beforeHeadersSteps, retryableErrorOf } from "./fake-common-faults.js";
import { createFaultStates, type FaultState } from "./fake-fault-states.js";
import { completionSteps, type ParsedRequest, streamSteps } from "./fake-openai-answers.js";
import { sendOpenAiEcho } from "./fake-openai-echo.js";
import {
  type ErrorFault,
  type FakeFault,
  type FakeFaultName,
  parseFault,
} from "./fake-openai-faults.js";
import { azureDeploymentOf, parseRequest } from "./fake-openai-requests.js";
import { type FakeUpstreamControls, fakeUpstreamControls } from "./fake-upstream-controls.js";
import { type RecordedUpstreamRequest, startFakeUpstream } from "./fake-upstream-server.js";
import { type AnswerIdentity, type ErrorFixture, errorBody } from "./openai-fixtures.js";

export { fakeAnswer } from "./fake-openai-answers.js";
export type { FakeFaultName } from "./fake-openai-faults.js";

/** One request the fake received; `path` is e.g. "/v1/chat/completions". */
export interface RecordedRequest extends RecordedUpstreamRequest {
  /**
   * The model the request is for: `body.model` when it is a string, or for an Azure deployment
   * path ("…/openai/deployments/<deployment>/chat/completions") the decoded deployment.
   */
  readonly model: string | undefined;
  /** The deployment of an Azure path, else undefined. */
  readonly deployment: string | undefined;
}

/** A running fake OpenAI Chat Completions server on 127.0.0.1. */
export interface FakeOpenAi extends FakeUpstreamControls<RecordedRequest, FakeFaultName> {
  /** "http://127.0.0.1:<port>/v1": use as a provider's `baseUrl`. */
  readonly baseUrl: string;
  /** "http://127.0.0.1:<port>": the server's origin (an Azure resource endpoint, or any prefix). */
  readonly origin: string;
  /** Makes a model answer normally from now on. */
  setHealthy(model: string): void;
}

/**
 * Starts a real HTTP server speaking the OpenAI Chat Completions wire format — streamed
 * (`chat.completion.chunk` SSE, usage chunk when `stream_options.include_usage`, `data: [DONE]`)
 * and non-streamed (`chat.completion`) — on `POST …/chat/completions`. Bodies are built from the
 * fixtures in test/fixtures/openai/. Any path prefix is accepted (`<origin>/openai/v1/…` for a
 * Groq-like base URL). Azure deployment paths (`…/openai/deployments/<deployment>/chat/completions`)
 * need `?api-version=` (else 404 "Resource not found") and an `api-key` or `authorization` header
 * (else Azure's 401); the deployment is the model, and streamed chunks carry Azure's
 * `prompt_filter_results` first chunk and `content_filter_results`. What a request gets
 * depends on its model name; see
 * `FakeFaultName`. The normal answer is "Answer from <model>: <last user message>", in up to 5
 * content chunks, with usage {prompt: characters of the messages / 4 rounded up, completion: words}.
 */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const faults = createFaultStates(parseFault);
  let answers = 0;

  const upstream = await startFakeUpstream<RecordedRequest>({
    record(common, url) {
      const deployment = azureDeploymentOf(url.pathname);
      return { ...common, model: parseRequest(common.body, deployment)?.model, deployment };
    },
    modelOf: (record) => record.model,
    handle({ record, url, req, res }) {
      if (req.method !== "POST" || !url.pathname.endsWith("/chat/completions")) {
        return sendError(res, 404, "invalid-request");
      }
      if (record.deployment !== undefined) {
        // Azure answers a deployment path without api-version "Resource not found", and refuses
        // a request with neither its api-key header nor an Entra bearer token.
        if (!url.searchParams.has("api-version")) return sendError(res, 404, "azure-not-found");
        if (req.headers["api-key"] === undefined && req.headers.authorization === undefined) {
          return sendError(res, 401, "azure-unauthorized");
        }
      }
      const parsed = parseRequest(record.body, record.deployment);
      if (parsed === undefined) return sendError(res, 400, "invalid-request");
      const state = faults.serve(parsed.model);
      if (state.fault.kind === "echo") {
        return sendOpenAiEcho(res, record, state.fault, record.deployment !== undefined);
      }
      answers++;
      respond(res, parsed, state, `chatcmpl-fake${answers}`);
    },
  });

  function respond(
    res: ServerResponse,
    request: ParsedRequest,
    { fault, served }: FaultState<FakeFault>,
    id: string,
  ) {
    const retryable = retryableErrorOf(fault, served);
    if (retryable?.retryAfterSeconds !== undefined) {
      const retryAfter = String(retryable.retryAfterSeconds);
      return sendError(res, 429, "rate-limit", { "retry-after": retryAfter });
    }
    if (retryable !== undefined) {
      const { status } = retryable;
      const body = status === 503 ? "overloaded" : "server-error";
      return sendError(res, status, status >= 500 ? body : "invalid-request");
    }
    if (fault.kind === "error-body") {
      const { status, fixture, headers } = ERROR_FAULTS[fault.name];
      return sendError(res, status, fixture, headers);
    }
    const early = beforeHeadersSteps(fault);
    if (early !== undefined) return void upstream.play(res, early);
    const identity: AnswerIdentity = {
      id,
      model: request.model,
      created: Math.floor(Date.now() / 1000),
    };
    const steps = request.stream
      ? streamSteps(request, identity, fault)
      : completionSteps(request, identity, fault);
    res.writeHead(200, {
      "content-type": request.stream ? "text/event-stream; charset=utf-8" : "application/json",
      "cache-control": "no-cache",
      "x-request-id": `req_${id}`,
    });
    void upstream.play(res, steps);
  }

  return {
    baseUrl: `${upstream.origin}/v1`,
    origin: upstream.origin,
    ...fakeUpstreamControls(upstream, faults),
    setHealthy(model) {
      faults.set(model, { kind: "ok" });
    },
  };
}

function sendError(
  res: ServerResponse,
  status: number,
  fixture: ErrorFixture,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(errorBody(fixture));
}

const ERROR_FAULTS: Record<
  ErrorFault,
  { status: number; fixture: ErrorFixture; headers?: Record<string, string> }
> = {
  "always-429": { status: 429, fixture: "rate-limit" },
  "insufficient-quota": { status: 429, fixture: "insufficient-quota" },
  unauthorized: { status: 401, fixture: "invalid-api-key" },
  "context-length": { status: 400, fixture: "context-length-exceeded" },
  "content-filter": { status: 400, fixture: "content-filter" },
  "azure-unauthorized": { status: 401, fixture: "azure-unauthorized" },
  "azure-rate-limited": {
    status: 429,
    fixture: "azure-rate-limit",
    headers: { "retry-after": "2", "retry-after-ms": "1500" },
  },
};
