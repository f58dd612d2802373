import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type ErrorFixture, errorBody } from "./anthropic-fixtures.js";
import {
  type FakeAnswerStep,
  messageSteps,
  type ParsedAnthropicRequest,
  streamSteps,
} from "./fake-anthropic-answers.js";
import {
  type FakeAnthropicFault,
  type FakeAnthropicFaultName,
  parseAnthropicFault,
} from "./fake-anthropic-faults.js";
import { parseJson, parseRequest } from "./fake-anthropic-request.js";

export { fakeAnthropicAnswer } from "./fake-anthropic-answers.js";
export type { FakeAnthropicFaultName } from "./fake-anthropic-faults.js";

/** One request the fake received. */
export interface RecordedAnthropicRequest {
  readonly method: string;
  /** Path with query, e.g. "/v1/messages". */
  readonly path: string;
  /** Lower-case header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, or its text when it is not JSON. */
  readonly body: unknown;
  /** `body.model` when it is a string. */
  readonly model: string | undefined;
  /** The client's port: equal for requests that came over the same (kept-alive) connection. */
  readonly remotePort: number | undefined;
  /**
   * Settles when the response closes: "finished" when the fake ended it, "closed-early" when
   * the connection closed before (the client aborted, or the fault destroyed the socket).
   */
  readonly closed: Promise<"finished" | "closed-early">;
}

/** Options of `startFakeAnthropic`. */
export interface FakeAnthropicOptions {
  /** When set, any other `x-api-key` gets 401 "invalid x-api-key". */
  readonly apiKey?: string | undefined;
}

/** A running fake Anthropic Messages API on 127.0.0.1. */
export interface FakeAnthropic {
  /** "http://127.0.0.1:<port>/v1": use as a provider's `baseUrl`. */
  readonly baseUrl: string;
  /** "http://127.0.0.1:<port>": use as the official SDK's `baseURL`. */
  readonly origin: string;
  /** Every request, in arrival order. */
  readonly requests: readonly RecordedAnthropicRequest[];
  /** The requests for one model name. */
  requestsFor(model: string): RecordedAnthropicRequest[];
  /** Resolves once `count` requests (for `model`, when given) have arrived. */
  waitForRequests(count: number, model?: string): Promise<void>;
  /**
   * Gives a model name a fault, overriding the one its name implies, and restarts its counters;
   * `undefined` removes the override.
   */
  setFault(model: string, fault: FakeAnthropicFaultName | undefined): void;
  /** Forgets the recorded requests, the faults set and every counter (between tests). */
  reset(): void;
  /** Destroys open sockets, cancels pending answers and stops listening. */
  close(): Promise<void>;
}

interface ModelState {
  fault: FakeAnthropicFault;
  /** Requests since the fault was set. */
  served: number;
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
  const requests: RecordedAnthropicRequest[] = [];
  const models = new Map<string, ModelState>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => boolean>();
  let answers = 0;

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const body = parseJson(Buffer.concat(parts).toString("utf8"));
      const parsed = parseRequest(body);
      const closed = new Promise<"finished" | "closed-early">((resolve) => {
        res.on("close", () => resolve(res.writableFinished ? "finished" : "closed-early"));
      });
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        model: parsed?.model,
        remotePort: req.socket.remotePort,
        closed,
      });
      for (const waiter of waiters) if (waiter()) waiters.delete(waiter);
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
      if (parsed === undefined) return fail(400, "invalid-request");
      const last = parsed.messages.at(-1);
      if (last?.role === "assistant" && /\s$/.test(last.content)) {
        return fail(400, "trailing-whitespace");
      }
      const state = models.get(parsed.model) ?? {
        fault: parseAnthropicFault(parsed.model),
        served: 0,
      };
      models.set(parsed.model, state);
      state.served++;
      respond(res, parsed, state, requestId, fail);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  function respond(
    res: ServerResponse,
    request: ParsedAnthropicRequest,
    state: ModelState,
    requestId: string,
    fail: (status: number, fixture: ErrorFixture, headers?: Record<string, string>) => void,
  ) {
    const { fault, served } = state;
    switch (fault.kind) {
      case "status":
        if (served <= fault.firstRequests) {
          if (fault.status === 529) return fail(529, "overloaded");
          return fail(fault.status, fault.status >= 500 ? "api-error" : "invalid-request");
        }
        break;
      case "retry-after":
        if (served === 1) return fail(429, "rate-limit", { "retry-after": String(fault.seconds) });
        break;
      case "error-body": {
        const { status, fixture } = ERROR_FAULTS[fault.name];
        return fail(status, fixture);
      }
      case "reset-before-headers":
        res.socket?.destroy();
        return;
      case "no-response":
        return;
      default:
        break;
    }
    const identity = { id: `msg_fake${requestId.slice("req_fake".length)}`, model: request.model };
    const steps = request.stream
      ? streamSteps(request, identity, fault)
      : messageSteps(request, identity, fault);
    res.writeHead(200, {
      "content-type": request.stream ? "text/event-stream; charset=utf-8" : "application/json",
      "cache-control": "no-cache",
      "request-id": requestId,
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
    baseUrl: `${origin}/v1`,
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
      models.set(model, { fault: parseAnthropicFault(fault ?? model), served: 0 });
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
  body: string,
  headers: Record<string, string>,
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}
