import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { beforeHeadersSteps, retryableErrorOf } from "../fake-common-faults.js";
import { createFaultStates, type FaultState } from "../fake-fault-states.js";
import { type FakeUpstreamControls, fakeUpstreamControls } from "../fake-upstream-controls.js";
import { type RecordedUpstreamRequest, startFakeUpstream } from "../fake-upstream-server.js";
import { type ParsedGeminiRequest, streamSteps, unarySteps } from "./fake-gemini-answers.js";
import { sendGeminiEcho } from "./fake-gemini-echo.js";
import {
  type FakeGeminiFault,
  type FakeGeminiFaultName,
  parseGeminiFault,
} from "./fake-gemini-faults.js";
import { errorJson, type GeminiErrorFixture } from "./gemini-fixtures.js";

export { FAKE_THOUGHT, fakeGeminiAnswer } from "./fake-gemini-answers.js";
export type { FakeGeminiFaultName } from "./fake-gemini-faults.js";

/** The key the fake accepts unless told otherwise. */
export const FAKE_GEMINI_API_KEY = "fake-gemini-key";

/** One request the fake received; `path` is e.g. "/v1beta/models/ok:streamGenerateContent?alt=sse". */
export interface RecordedGeminiRequest extends RecordedUpstreamRequest {
  /** The model of the path, decoded; undefined when the path names none. */
  readonly model: string | undefined;
}

/** A running fake Gemini API on 127.0.0.1. */
export interface FakeGemini
  extends FakeUpstreamControls<RecordedGeminiRequest, FakeGeminiFaultName> {
  /** "http://127.0.0.1:<port>/v1beta": use as a provider's `baseUrl`. */
  readonly baseUrl: string;
  /** "http://127.0.0.1:<port>": the SDK's `httpOptions.baseUrl` (it adds the version). */
  readonly origin: string;
}

/** Options of `startFakeGemini`. */
export interface FakeGeminiOptions {
  /** The API key the fake accepts. Default `FAKE_GEMINI_API_KEY`. */
  readonly apiKey?: string | undefined;
}

const MODEL_PATH = /^\/v1beta\/models\/([^/]+):(generateContent|streamGenerateContent)$/;

/**
 * Starts a real HTTP server speaking the Gemini API wire format on `POST
 * /v1beta/models/{model}:generateContent` (one JSON `GenerateContentResponse`) and
 * `:streamGenerateContent?alt=sse` (SSE `data:` events with CRLF line ends, no `[DONE]`).
 * Bodies are built from test/fixtures/gemini/. The key is taken from `x-goog-api-key` or the
 * `key` query parameter: none → 403 PERMISSION_DENIED, a wrong one → 400 API_KEY_INVALID, as
 * Google answers. What a request gets then depends on its model name; see `FakeGeminiFaultName`.
 * The normal answer is "Answer from <model>: <last user message>" in up to 5 chunks, with usage
 * {prompt: characters of all texts / 4 rounded up, candidates: words so far}.
 */
export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const apiKey = options.apiKey ?? FAKE_GEMINI_API_KEY;
  const faults = createFaultStates(parseGeminiFault);

  const upstream = await startFakeUpstream<RecordedGeminiRequest>({
    record(common, url) {
      const encoded = MODEL_PATH.exec(url.pathname)?.[1];
      return { ...common, model: encoded === undefined ? undefined : decodeURIComponent(encoded) };
    },
    modelOf: (record) => record.model,
    handle({ record, url, req, res }) {
      const { model } = record;
      if (req.method !== "POST" || model === undefined) return sendError(res, 404, "not-found");
      const key = headerOf(req.headers, "x-goog-api-key") ?? url.searchParams.get("key");
      if (key === null || key === "") return sendError(res, 403, "permission-denied");
      if (key !== apiKey) return sendError(res, 400, "api-key-invalid");
      const stream = MODEL_PATH.exec(url.pathname)?.[2] === "streamGenerateContent";
      if (stream && url.searchParams.get("alt") !== "sse") {
        // The JSON-array stream (alt=json) is not what the gateway or the JS SDK asks for.
        return sendError(res, 400, "invalid-argument");
      }
      const parsed = parseRequest(model, stream, record.body);
      if (parsed === undefined) return sendError(res, 400, "invalid-argument");
      const state = faults.serve(model);
      if (state.fault.kind === "echo") return sendGeminiEcho(res, record, state.fault);
      respond(res, parsed, state);
    },
  });

  function respond(
    res: ServerResponse,
    request: ParsedGeminiRequest,
    { fault, served }: FaultState<FakeGeminiFault>,
  ) {
    const retryable = retryableErrorOf(fault, served);
    if (retryable?.retryAfterSeconds !== undefined) {
      const retryDelay = `${retryable.retryAfterSeconds}s`;
      return sendError(res, 429, "resource-exhausted-retry-info", retryDelay);
    }
    if (retryable !== undefined) {
      const { status } = retryable;
      return sendError(res, status, status === 503 ? "unavailable" : "internal");
    }
    if (fault.kind === "error-body") return sendError(res, fault.status, fault.fixture);
    const early = beforeHeadersSteps(fault);
    if (early !== undefined) return void upstream.play(res, early);
    const steps = request.stream ? streamSteps(request, fault) : unarySteps(request, fault);
    res.writeHead(200, {
      "content-type": request.stream ? "text/event-stream" : "application/json; charset=UTF-8",
      vary: "Origin, X-Origin, Referer",
      "x-content-type-options": "nosniff",
    });
    void upstream.play(res, steps);
  }

  return {
    baseUrl: `${upstream.origin}/v1beta`,
    origin: upstream.origin,
    ...fakeUpstreamControls(upstream, faults),
  };
}

function sendError(
  res: ServerResponse,
  status: number,
  fixture: GeminiErrorFixture,
  retryDelay?: string,
): void {
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
  res.end(JSON.stringify(errorJson(fixture, retryDelay)));
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function textsOf(content: unknown): string[] {
  if (typeof content !== "object" || content === null) return [];
  const { parts } = content as Record<string, unknown>;
  if (!Array.isArray(parts)) return [];
  return parts.flatMap((part: unknown) => {
    const text =
      typeof part === "object" && part !== null ? (part as { text?: unknown }).text : undefined;
    return typeof text === "string" ? [text] : [];
  });
}

function parseRequest(
  model: string,
  stream: boolean,
  body: unknown,
): ParsedGeminiRequest | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { contents, systemInstruction } = body as Record<string, unknown>;
  if (!Array.isArray(contents) || contents.length === 0) return undefined;
  const messages = textsOf(systemInstruction).map((text) => ({ role: "system", text }));
  for (const content of contents) {
    // The SDK and the REST API default a content's role to "user".
    const role = (content as { role?: unknown }).role;
    const name = typeof role === "string" ? role : "user";
    for (const text of textsOf(content)) messages.push({ role: name, text });
  }
  return { model, stream, messages };
}
