import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  type FakeAnswerStep,
  type ParsedGeminiRequest,
  streamSteps,
  unarySteps,
} from "./fake-gemini-answers.js";
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

/** One request the fake received. */
export interface RecordedGeminiRequest {
  readonly method: string;
  /** Path with query, e.g. "/v1beta/models/ok:streamGenerateContent?alt=sse". */
  readonly path: string;
  /** Lower-case header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, or its text when it is not JSON. */
  readonly body: unknown;
  /** The model of the path, decoded; undefined when the path names none. */
  readonly model: string | undefined;
  /** Arrival time (`Date.now()`), in milliseconds. */
  readonly receivedAtMs: number;
  /** The client's port: equal for requests that came over the same (kept-alive) connection. */
  readonly remotePort: number | undefined;
  /** "finished" when the fake ended the response, "closed-early" when the connection closed first. */
  readonly closed: Promise<"finished" | "closed-early">;
}

/** A running fake Gemini API on 127.0.0.1. */
export interface FakeGemini {
  /** "http://127.0.0.1:<port>/v1beta": use as a provider's `baseUrl`. */
  readonly baseUrl: string;
  /** "http://127.0.0.1:<port>": the SDK's `httpOptions.baseUrl` (it adds the version). */
  readonly origin: string;
  /** Every request, in arrival order. */
  readonly requests: readonly RecordedGeminiRequest[];
  /** The requests for one model name. */
  requestsFor(model: string): RecordedGeminiRequest[];
  /** Resolves once `count` requests (for `model`, when given) have arrived. */
  waitForRequests(count: number, model?: string): Promise<void>;
  /** Gives a model a fault, overriding its name's, and restarts its counters; undefined removes it. */
  setFault(model: string, fault: FakeGeminiFaultName | undefined): void;
  /** Forgets the recorded requests, the faults set and every counter (between tests). */
  reset(): void;
  /** Destroys open sockets, cancels pending answers and stops listening. */
  close(): Promise<void>;
}

/** Options of `startFakeGemini`. */
export interface FakeGeminiOptions {
  /** The API key the fake accepts. Default `FAKE_GEMINI_API_KEY`. */
  readonly apiKey?: string | undefined;
}

interface ModelState {
  fault: FakeGeminiFault;
  served: number;
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
  const requests: RecordedGeminiRequest[] = [];
  const models = new Map<string, ModelState>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => boolean>();

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const body = parseJson(Buffer.concat(parts).toString("utf8"));
      const url = new URL(req.url ?? "/", "http://fake");
      const match = MODEL_PATH.exec(url.pathname);
      const model = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
      const closed = new Promise<"finished" | "closed-early">((resolve) => {
        res.on("close", () => resolve(res.writableFinished ? "finished" : "closed-early"));
      });
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        model,
        receivedAtMs: Date.now(),
        remotePort: req.socket.remotePort,
        closed,
      });
      for (const waiter of waiters) if (waiter()) waiters.delete(waiter);

      if (req.method !== "POST" || model === undefined) return sendError(res, 404, "not-found");
      const key = headerOf(req.headers, "x-goog-api-key") ?? url.searchParams.get("key");
      if (key === null || key === "") return sendError(res, 403, "permission-denied");
      if (key !== apiKey) return sendError(res, 400, "api-key-invalid");
      const stream = match?.[2] === "streamGenerateContent";
      if (stream && url.searchParams.get("alt") !== "sse") {
        // The JSON-array stream (alt=json) is not what the gateway or the JS SDK asks for.
        return sendError(res, 400, "invalid-argument");
      }
      const parsed = parseRequest(model, stream, body);
      if (parsed === undefined) return sendError(res, 400, "invalid-argument");
      const state = models.get(model) ?? { fault: parseGeminiFault(model), served: 0 };
      models.set(model, state);
      state.served++;
      respond(res, parsed, state);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  function respond(res: ServerResponse, request: ParsedGeminiRequest, state: ModelState) {
    const { fault, served } = state;
    switch (fault.kind) {
      case "status":
        if (served <= fault.firstRequests) {
          return sendError(res, fault.status, fault.status === 503 ? "unavailable" : "internal");
        }
        break;
      case "retry-after":
        if (served === 1) {
          return sendError(res, 429, "resource-exhausted-retry-info", `${fault.seconds}s`);
        }
        break;
      case "error-body":
        return sendError(res, fault.status, fault.fixture);
      case "reset-before-headers":
        res.socket?.destroy();
        return;
      case "no-response":
        return;
      default:
        break;
    }
    const steps = request.stream ? streamSteps(request, fault) : unarySteps(request, fault);
    res.writeHead(200, {
      "content-type": request.stream ? "text/event-stream" : "application/json; charset=UTF-8",
      vary: "Origin, X-Origin, Referer",
      "x-content-type-options": "nosniff",
    });
    void run(res, steps);
  }

  async function run(res: ServerResponse, steps: readonly FakeAnswerStep[]): Promise<void> {
    let flushed: Promise<void> = Promise.resolve();
    for (const step of steps) {
      if (res.destroyed) return;
      if (step.kind === "write") {
        flushed = new Promise((resolve) => res.write(step.data, () => resolve()));
      } else if (step.kind === "wait") {
        await sleep(step.ms);
      } else if (step.kind === "destroy") {
        // Destroying at once would drop the writes still buffered: cut after they left.
        await flushed;
        res.socket?.destroy();
      } else if (step.kind === "end") {
        res.end();
      }
      if (step.kind === "destroy" || step.kind === "end" || step.kind === "hold") return;
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    baseUrl: `${origin}/v1beta`,
    origin,
    requests,
    requestsFor: (model) => requests.filter((request) => request.model === model),
    waitForRequests(count, model) {
      const reached = () =>
        (model === undefined ? requests : requests.filter((r) => r.model === model)).length >=
        count;
      if (reached()) return Promise.resolve();
      return new Promise((resolve) => {
        waiters.add(() => {
          if (!reached()) return false;
          resolve();
          return true;
        });
      });
    },
    setFault(model, fault) {
      models.set(model, { fault: parseGeminiFault(fault ?? model), served: 0 });
    },
    reset() {
      requests.length = 0;
      models.clear();
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
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
