import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type ErrorFixture, errorOf } from "./bedrock-fixtures.js";
import {
  converseBody,
  type FakeStreamStep,
  type ParsedConverseRequest,
  streamSteps,
} from "./fake-bedrock-answers.js";
import {
  type FakeBedrockFault,
  type FakeBedrockFaultName,
  parseBedrockFault,
} from "./fake-bedrock-faults.js";

export { fakeBedrockAnswer } from "./fake-bedrock-answers.js";
export type { FakeBedrockFaultName } from "./fake-bedrock-faults.js";

/** One request the fake received. */
export interface RecordedBedrockRequest {
  readonly method: string;
  /** The raw path, e.g. "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream". */
  readonly path: string;
  /** "converse", "converse-stream", or undefined for any other path. */
  readonly operation: "converse" | "converse-stream" | undefined;
  /** The model id, URL-decoded from the path. */
  readonly modelId: string | undefined;
  /** Lower-case header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, or its text when it is not JSON. */
  readonly body: unknown;
  /** Arrival time (`Date.now()`), in milliseconds. */
  readonly receivedAtMs: number;
  /** The client's port: equal for requests that came over the same (kept-alive) connection. */
  readonly remotePort: number | undefined;
  /** "finished" when the fake ended the response, "closed-early" when the connection closed first. */
  readonly closed: Promise<"finished" | "closed-early">;
}

/** A running fake Bedrock Runtime server on 127.0.0.1. */
export interface FakeBedrock {
  /** "http://127.0.0.1:<port>": use as the provider's `baseUrl` (the SDK's endpoint). */
  readonly baseUrl: string;
  /** The region the fake expects in the SigV4 credential scope. */
  readonly region: string;
  /** Every request, in arrival order. */
  readonly requests: readonly RecordedBedrockRequest[];
  /** The requests for one model id. */
  requestsFor(modelId: string): RecordedBedrockRequest[];
  /** Resolves once `count` requests (for `modelId`, when given) have arrived. */
  waitForRequests(count: number, modelId?: string): Promise<void>;
  /** Gives a model id a fault, overriding the one its name implies, and restarts its counter. */
  setFault(modelId: string, fault: FakeBedrockFaultName | undefined): void;
  /** Forgets the recorded requests, the faults set and every counter (between tests). */
  reset(): void;
  /** Destroys open sockets and stops listening. */
  close(): Promise<void>;
}

/** Options of `startFakeBedrock`. */
export interface FakeBedrockOptions {
  /** The region requests must be signed for. Default "us-east-1". */
  readonly region?: string;
}

interface ModelState {
  fault: FakeBedrockFault;
  /** Requests since the fault was set. */
  served: number;
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
  const requests: RecordedBedrockRequest[] = [];
  const models = new Map<string, ModelState>();
  const sockets = new Set<Socket>();
  const waiters = new Set<() => boolean>();

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const body = parseJson(Buffer.concat(parts).toString("utf8"));
      const match = PATH.exec(req.url ?? "");
      const modelId = match?.[1] === undefined ? undefined : safeDecode(match[1]);
      const operation = match?.[2] as RecordedBedrockRequest["operation"];
      const closed = new Promise<"finished" | "closed-early">((resolve) => {
        res.on("close", () => resolve(res.writableFinished ? "finished" : "closed-early"));
      });
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        operation,
        modelId,
        headers: req.headers,
        body,
        receivedAtMs: Date.now(),
        remotePort: req.socket.remotePort,
        closed,
      });
      for (const waiter of waiters) if (waiter()) waiters.delete(waiter);

      if (req.method !== "POST" || modelId === undefined || operation === undefined) {
        return sendError(res, "not-found");
      }
      const scope = SIGV4.exec(req.headers.authorization ?? "");
      if (scope === null) return sendError(res, "missing-auth");
      if (scope[1] !== region) return sendError(res, "wrong-region");
      const parsed = parseRequest(modelId, body);
      if (parsed === undefined) return sendError(res, "validation");

      const state = models.get(modelId) ?? { fault: parseBedrockFault(modelId), served: 0 };
      models.set(modelId, state);
      state.served++;
      respond(res, parsed, state, operation);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  function respond(
    res: ServerResponse,
    request: ParsedConverseRequest,
    state: ModelState,
    operation: "converse" | "converse-stream",
  ): void {
    const { fault, served } = state;
    if (fault.kind === "error" && served <= fault.firstRequests) {
      sendError(res, fault.fixture);
      return;
    }
    if (fault.kind === "reset-before-headers") {
      res.socket?.destroy();
      return;
    }
    if (fault.kind === "no-response") return;
    const requestId = `fake-${requests.length}`;
    if (operation === "converse") {
      res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": requestId });
      res.end(converseBody(request, fault));
      return;
    }
    res.writeHead(200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-requestid": requestId,
    });
    void run(res, streamSteps(request, fault), fault.kind === "one-byte-chunks");
  }

  async function run(
    res: ServerResponse,
    steps: readonly FakeStreamStep[],
    flushEach: boolean,
  ): Promise<void> {
    let flushed: Promise<void> = Promise.resolve();
    for (const step of steps) {
      if (res.destroyed) return;
      if (step.kind === "write") {
        flushed = new Promise((resolve) => res.write(step.data, () => resolve()));
        // One write per event loop turn, so that the bytes leave in separate TCP segments.
        if (flushEach) await flushed;
      } else if (step.kind === "destroy") {
        // Destroying at once would drop the writes still buffered: cut after they left.
        await flushed;
        res.socket?.destroy();
        return;
      } else if (step.kind === "end") {
        res.end();
        return;
      } else {
        return;
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    region,
    requests,
    requestsFor: (modelId) => requests.filter((request) => request.modelId === modelId),
    waitForRequests(count, modelId) {
      const reached = () =>
        (modelId === undefined ? requests : requests.filter((r) => r.modelId === modelId)).length >=
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
    setFault(modelId, fault) {
      models.set(modelId, { fault: parseBedrockFault(fault ?? modelId), served: 0 });
    },
    reset() {
      requests.length = 0;
      models.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
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
