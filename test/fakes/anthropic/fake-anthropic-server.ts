import type { ServerResponse } from "node:http";
import { beforeHeadersSteps, retryableErrorOf } from "../fake-common-faults.js";
import { createFaultStates, type FaultState } from "../fake-fault-states.js";
import { type FakeUpstreamControls, fakeUpstreamControls } from "../fake-upstream-controls.js";
import { type RecordedUpstreamRequest, startFakeUpstream } from "../fake-upstream-server.js";
import { type ErrorFixture, errorBody } from "./anthropic-fixtures.js";
import {
  messageSteps,
  type ParsedAnthropicRequest,
  streamSteps,
} from "./fake-anthropic-answers.js";
import { sendAnthropicEcho } from "./fake-anthropic-echo.js";
import {
  type FakeAnthropicFault,
  type FakeAnthropicFaultName,
  parseAnthropicFault,
} from "./fake-anthropic-faults.js";
import { parseRequest } from "./fake-anthropic-request.js";

export { fakeAnthropicAnswer } from "./fake-anthropic-answers.js";
export type { FakeAnthropicFaultName } from "./fake-anthropic-faults.js";

/** One request the fake received; `path` is e.g. "/v1/messages". */
export interface RecordedAnthropicRequest extends RecordedUpstreamRequest {
  /** `body.model` when it is a string. */
  readonly model: string | undefined;
}

/** Options of `startFakeAnthropic`. */
export interface FakeAnthropicOptions {
  /** When set, any other `x-api-key` gets 401 "invalid x-api-key". */
  readonly apiKey?: string | undefined;
}

/** A running fake Anthropic Messages API on 127.0.0.1. */
export interface FakeAnthropic
  extends FakeUpstreamControls<RecordedAnthropicRequest, FakeAnthropicFaultName> {
  /** "http://127.0.0.1:<port>/v1": use as a provider's `baseUrl`. */
  readonly baseUrl: string;
  /** "http://127.0.0.1:<port>": use as the official SDK's `baseURL`. */
  readonly origin: string;
}

const ERROR_FAULTS = {
  "always-429": { status: 429, fixture: "rate-limit" },
  unauthorized: { status: 401, fixture: "authentication" },
  "permission-denied": { status: 403, fixture: "permission" },
  "not-found": { status: 404, fixture: "not-found" },
  "prompt-too-long": { status: 400, fixture: "prompt-too-long" },
  "request-too-large": { status: 413, fixture: "request-too-large" },
} as const satisfies Record<string, { status: number; fixture: ErrorFixture }>;

/**
 * Starts a real HTTP server speaking the Anthropic Messages API — streamed (named SSE events
 * message_start … message_stop) and non-streamed (a `message`) — on `POST …/v1/messages`, with
 * bodies built from the fixtures in test/fixtures/anthropic/. Like the real API it answers 401
 * without a key (`x-api-key`, or `Authorization: Bearer` as the official SDK 1.x sends it), 400
 * without `anthropic-version` (any version is accepted), without `max_tokens`, or when a final
 * assistant message ends with whitespace; every response carries a `request-id` header. What a
 * request gets otherwise depends on its model name; see `FakeAnthropicFaultName`. The normal
 * answer is "Answer from <model>: <last user message>" in up to 5 text deltas, with usage
 * {input: characters of system and messages / 4 rounded up, output: words}.
 */
export async function startFakeAnthropic(
  options: FakeAnthropicOptions = {},
): Promise<FakeAnthropic> {
  const faults = createFaultStates(parseAnthropicFault);
  let answers = 0;

  const upstream = await startFakeUpstream<RecordedAnthropicRequest>({
    record: (common) => ({ ...common, model: parseRequest(common.body)?.model }),
    modelOf: (record) => record.model,
    handle({ record, req, res }) {
      answers++;
      const requestId = `req_fake${answers}`;
      const fail = (status: number, fixture: ErrorFixture, headers: Record<string, string> = {}) =>
        sendError(res, status, errorBody(fixture, requestId), {
          "request-id": requestId,
          ...headers,
        });

      if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== "/v1/messages") {
        return fail(404, "not-found");
      }
      // `x-api-key` (API version 2023-06-01), or `Authorization: Bearer` as SDK 1.x sends it.
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const apiKey = req.headers["x-api-key"] ?? bearer;
      if (apiKey === undefined || apiKey === "") return fail(401, "missing-api-key");
      if (options.apiKey !== undefined && apiKey !== options.apiKey) {
        return fail(401, "authentication");
      }
      if (req.headers["anthropic-version"] === undefined) return fail(400, "missing-version");
      const parsed = parseRequest(record.body);
      if (parsed === undefined) return fail(400, "invalid-request");
      const last = parsed.messages.at(-1);
      if (last?.role === "assistant" && /\s$/.test(last.content)) {
        return fail(400, "trailing-whitespace");
      }
      const state = faults.serve(parsed.model);
      if (state.fault.kind === "echo") {
        return sendAnthropicEcho(res, record, state.fault, requestId);
      }
      respond(res, parsed, state, requestId, fail);
    },
  });

  function respond(
    res: ServerResponse,
    request: ParsedAnthropicRequest,
    { fault, served }: FaultState<FakeAnthropicFault>,
    requestId: string,
    fail: (status: number, fixture: ErrorFixture, headers?: Record<string, string>) => void,
  ) {
    const retryable = retryableErrorOf(fault, served);
    if (retryable?.retryAfterSeconds !== undefined) {
      return fail(429, "rate-limit", { "retry-after": String(retryable.retryAfterSeconds) });
    }
    if (retryable !== undefined) {
      const { status } = retryable;
      if (status === 529) return fail(529, "overloaded");
      return fail(status, status >= 500 ? "api-error" : "invalid-request");
    }
    if (fault.kind === "error-body") {
      const { status, fixture } = ERROR_FAULTS[fault.name];
      return fail(status, fixture);
    }
    const early = beforeHeadersSteps(fault);
    if (early !== undefined) return void upstream.play(res, early);
    const identity = { id: `msg_fake${requestId.slice("req_fake".length)}`, model: request.model };
    const steps = request.stream
      ? streamSteps(request, identity, fault)
      : messageSteps(request, identity, fault);
    res.writeHead(200, {
      "content-type": request.stream ? "text/event-stream; charset=utf-8" : "application/json",
      "cache-control": "no-cache",
      "request-id": requestId,
    });
    void upstream.play(res, steps);
  }

  return {
    baseUrl: `${upstream.origin}/v1`,
    origin: upstream.origin,
    ...fakeUpstreamControls(upstream, faults),
  };
}

function sendError(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string>,
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}
