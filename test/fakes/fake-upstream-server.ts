import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What every fake upstream records of a request, whatever its wire format. */
export interface RecordedUpstreamRequest {
  readonly method: string;
  /** Path with query, as the client sent it. */
  readonly path: string;
  /** Lower-case header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, or its text when it is not JSON. */
  readonly body: unknown;
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

/** One thing a fake does while answering. */
export type FakeAnswerStep =
  | { readonly kind: "write"; readonly data: string | Uint8Array }
  | { readonly kind: "wait"; readonly ms: number }
  /** Destroy the socket, end the response, or leave it open. */
  | { readonly kind: "destroy" | "end" | "hold" };

/** A request the fake has recorded and must now answer. */
export interface FakeUpstreamExchange<R> {
  readonly record: R;
  /** The request URL, resolved against a dummy origin. */
  readonly url: URL;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/** Options of `startFakeUpstream`: what makes one fake differ from another. */
export interface FakeUpstreamOptions<R extends RecordedUpstreamRequest> {
  /** Adds the fake's own fields (its model, its operation …) to what every fake records. */
  record(common: RecordedUpstreamRequest, url: URL): R;
  /** The model a record is for, as `requestsFor` and `waitForRequests` match it. */
  modelOf(record: R): string | undefined;
  /** Answers a request, once it is recorded. */
  handle(exchange: FakeUpstreamExchange<R>): void;
}

/** A running fake upstream on 127.0.0.1: the part every wire format shares. */
export interface FakeUpstream<R extends RecordedUpstreamRequest> {
  /** "http://127.0.0.1:<port>". */
  readonly origin: string;
  /** Every request, in arrival order. */
  readonly requests: R[];
  /** The requests for one model. */
  requestsFor(model: string): R[];
  /** Resolves once `count` requests (for `model`, when given) have arrived. */
  waitForRequests(count: number, model?: string): Promise<void>;
  /**
   * Plays answer steps on a response whose headers are written. With `flushEachWrite`, each
   * write waits for the previous one to leave, so that the bytes go in separate TCP segments.
   */
  play(
    res: ServerResponse,
    steps: readonly FakeAnswerStep[],
    options?: { readonly flushEachWrite?: boolean },
  ): Promise<void>;
  /** Forgets the recorded requests. */
  forgetRequests(): void;
  /** Destroys open sockets, cancels pending waits and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a real HTTP server on 127.0.0.1 port 0 that reads each request's body, records it
 * (with a `closed` promise), wakes the `waitForRequests` callers and hands it to `handle`. It
 * tracks sockets and timers so that `close` leaves nothing behind.
 */
export async function startFakeUpstream<R extends RecordedUpstreamRequest>(
  options: FakeUpstreamOptions<R>,
): Promise<FakeUpstream<R>> {
  const requests: R[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => boolean>();
  const forModel = (model: string | undefined) =>
    model === undefined ? requests : requests.filter((r) => options.modelOf(r) === model);

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const closed = new Promise<"finished" | "closed-early">((resolve) => {
        res.on("close", () => resolve(res.writableFinished ? "finished" : "closed-early"));
      });
      const common: RecordedUpstreamRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: parseJson(Buffer.concat(parts).toString("utf8")),
        receivedAtMs: Date.now(),
        remotePort: req.socket.remotePort,
        closed,
      };
      const record = options.record(common, url);
      requests.push(record);
      for (const waiter of waiters) if (waiter()) waiters.delete(waiter);
      options.handle({ record, url, req, res });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  async function play(
    res: ServerResponse,
    steps: readonly FakeAnswerStep[],
    playOptions: { readonly flushEachWrite?: boolean } = {},
  ): Promise<void> {
    let flushed: Promise<void> = Promise.resolve();
    for (const step of steps) {
      if (res.destroyed) return;
      if (step.kind === "write") {
        flushed = new Promise((resolve) => res.write(step.data, () => resolve()));
        if (playOptions.flushEachWrite === true) await flushed;
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

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    requestsFor: (model) => forModel(model),
    waitForRequests(count, model) {
      const reached = () => forModel(model).length >= count;
      if (reached()) return Promise.resolve();
      return new Promise((resolve) => {
        waiters.add(() => {
          if (!reached()) return false;
          resolve();
          return true;
        });
      });
    },
    play,
    forgetRequests() {
      requests.length = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The JSON of a body, or its text when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
