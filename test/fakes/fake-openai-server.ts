import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  completionSteps,
  type FakeAnswerStep,
  type ParsedRequest,
  streamSteps,
} from "./fake-openai-answers.js";
import {
  type ErrorFault,
  type FakeFault,
  type FakeFaultName,
  parseFault,
} from "./fake-openai-faults.js";
import { azureDeploymentOf, parseJson, parseRequest } from "./fake-openai-requests.js";
import { type AnswerIdentity, type ErrorFixture, errorBody } from "./openai-fixtures.js";

export { fakeAnswer } from "./fake-openai-answers.js";
export type { FakeFaultName } from "./fake-openai-faults.js";

/** One request the fake received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path with query, e.g. "/v1/chat/completions". */
  readonly path: string;
  /** Lower-case header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, or its text when it is not JSON. */
  readonly body: unknown;
  /**
   * The model the request is for: `body.model` when it is a string, or for an Azure deployment
   * path ("…/openai/deployments/<deployment>/chat/completions") the decoded deployment.
   */
  readonly model: string | undefined;
  /** The deployment of an Azure path, else undefined. */
  readonly deployment: string | undefined;
  /** Arrival time (`Date.now()`), in milliseconds. */
  readonly receivedAtMs: number;
  /** The client's port: equal for requests that came over the same (kept-alive) connection. */
  readonly remotePort: number | undefined;
  /**
   * Settles when the response closes: "finished" when the fake ended it, "closed-early" when
   * the connection closed before (the client aborted, or the fault destroyed the socket).
   */
  readonly closed: Promise<"finished" | "closed-early">;
}

/** A running fake OpenAI Chat Completions server on 127.0.0.1. */
export interface FakeOpenAi {
  /** "http://127.0.0.1:<port>/v1": use as a provider's `baseUrl`. */
  readonly baseUrl: string;
  /** "http://127.0.0.1:<port>": the server's origin (an Azure resource endpoint, or any prefix). */
  readonly origin: string;
  /** Every request, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** The requests for one model name. */
  requestsFor(model: string): RecordedRequest[];
  /** Resolves once `count` requests (for `model`, when given) have arrived. */
  waitForRequests(count: number, model?: string): Promise<void>;
  /**
   * Gives a model name a fault, overriding the one its name implies, and restarts its counters;
   * `undefined` removes the override.
   */
  setFault(model: string, fault: FakeFaultName | undefined): void;
  /** Makes a model answer normally from now on. */
  setHealthy(model: string): void;
  /** Forgets the recorded requests, the faults set and every counter (between tests). */
  reset(): void;
  /** Destroys open sockets, cancels pending answers and stops listening. */
  close(): Promise<void>;
}

interface ModelState {
  fault: FakeFault;
  /** Requests since the fault was set. */
  served: number;
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
  const requests: RecordedRequest[] = [];
  const models = new Map<string, ModelState>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => boolean>();
  let answers = 0;

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const text = Buffer.concat(parts).toString("utf8");
      const body = parseJson(text);
      const url = new URL(req.url ?? "/", "http://fake");
      const deployment = azureDeploymentOf(url.pathname);
      const parsed = parseRequest(body, deployment);
      const closed = new Promise<"finished" | "closed-early">((resolve) => {
        res.on("close", () => resolve(res.writableFinished ? "finished" : "closed-early"));
      });
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        model: parsed?.model,
        deployment,
        receivedAtMs: Date.now(),
        remotePort: req.socket.remotePort,
        closed,
      });
      for (const waiter of waiters) if (waiter()) waiters.delete(waiter);
      if (req.method !== "POST" || !url.pathname.endsWith("/chat/completions")) {
        sendError(res, 404, "invalid-request");
        return;
      }
      if (deployment !== undefined) {
        // Azure answers a deployment path without api-version "Resource not found", and refuses
        // a request with neither its api-key header nor an Entra bearer token.
        if (!url.searchParams.has("api-version")) return sendError(res, 404, "azure-not-found");
        if (req.headers["api-key"] === undefined && req.headers.authorization === undefined) {
          return sendError(res, 401, "azure-unauthorized");
        }
      }
      if (parsed === undefined) {
        sendError(res, 400, "invalid-request");
        return;
      }
      const state = models.get(parsed.model) ?? { fault: parseFault(parsed.model), served: 0 };
      models.set(parsed.model, state);
      state.served++;
      answers++;
      respond(res, parsed, state, `chatcmpl-fake${answers}`);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  function respond(res: ServerResponse, request: ParsedRequest, state: ModelState, id: string) {
    const { fault, served } = state;
    switch (fault.kind) {
      case "status":
        if (served <= fault.firstRequests) {
          const body = fault.status === 503 ? "overloaded" : "server-error";
          return sendError(res, fault.status, fault.status >= 500 ? body : "invalid-request");
        }
        break;
      case "retry-after":
        if (served === 1) {
          return sendError(res, 429, "rate-limit", { "retry-after": String(fault.seconds) });
        }
        break;
      case "error-body": {
        const { status, fixture, headers } = ERROR_FAULTS[fault.name];
        return sendError(res, status, fixture, headers);
      }
      case "reset-before-headers":
        res.socket?.destroy();
        return;
      case "no-response":
        return;
      default:
        break;
    }
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

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    origin: `http://127.0.0.1:${port}`,
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
      models.set(model, { fault: parseFault(fault ?? model), served: 0 });
    },
    setHealthy(model) {
      models.set(model, { fault: { kind: "ok" }, served: 0 });
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
