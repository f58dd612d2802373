import * as http from "node:http";
import * as http2 from "node:http2";
import { type FuzzCase, fuzzCase } from "./fuzz-cases.js";
import { type FuzzResponse, judge } from "./fuzz-responses.js";

/** Options of `runFuzz`. */
export interface FuzzRunOptions {
  /** The gateway's base URL, e.g. "http://127.0.0.1:8080". */
  readonly url: string;
  readonly seed: number;
  readonly cases: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Keep-alive HTTP/1.1 connections in the pool. */
  readonly h1Connections: number;
  /** HTTP/2 connections in the pool (replaced when the server closes one). */
  readonly h2Connections: number;
  /** How long one request may take before it counts as unanswered. */
  readonly timeoutMs: number;
  /** Start no new case after this long (the result's `sent` says how many were); default no limit. */
  readonly durationMs?: number;
}

/** A response that was not a well-formed, non-internal answer. */
export interface FuzzProblem {
  readonly index: number;
  readonly protocol: string;
  readonly transport: string;
  readonly path: string;
  readonly mutations: readonly string[];
  /** The request body, hex, cut at 200 bytes. */
  readonly bodyHex: string;
  readonly problem: string;
}

/** What a fuzz run saw. */
export interface FuzzRunResult {
  readonly seed: number;
  readonly cases: number;
  /** Cases sent: `cases`, or fewer when `durationMs` ran out first. */
  readonly sent: number;
  /** Responses by outcome, e.g. {"connect 400 invalid_argument": 812, "grpc 3": 640}. */
  readonly outcomes: Record<string, number>;
  readonly problemCount: number;
  /** The first 100 problems. */
  readonly problems: readonly FuzzProblem[];
}

/**
 * Sends the fuzz cases 0 … `cases`-1 of `seed` through a small pool of keep-alive HTTP/1.1 and
 * HTTP/2 connections and judges every response; only those begun within `durationMs`, if given.
 */
export async function runFuzz(options: FuzzRunOptions): Promise<FuzzRunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.h1Connections });
  const sessions: (http2.ClientHttp2Session | undefined)[] = Array.from(
    { length: options.h2Connections },
    () => undefined,
  );
  const sessionFor = (index: number): http2.ClientHttp2Session => {
    const slot = index % sessions.length;
    const existing = sessions[slot];
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = http2.connect(options.url);
    session.on("error", () => {});
    sessions[slot] = session;
    return session;
  };
  const outcomes: Record<string, number> = {};
  const problems: FuzzProblem[] = [];
  let problemCount = 0;
  let next = 0;
  const deadline = performance.now() + (options.durationMs ?? Number.POSITIVE_INFINITY);
  const worker = async (): Promise<void> => {
    while (next < options.cases && performance.now() < deadline) {
      const index = next++;
      const request = fuzzCase(options.seed, index);
      const response =
        request.transport === "h1"
          ? await sendH1(options.url, agent, request, options.timeoutMs)
          : await sendH2(sessionFor(index), request, options.timeoutMs);
      const verdict = judge(request, response);
      outcomes[verdict.outcome] = (outcomes[verdict.outcome] ?? 0) + 1;
      if (verdict.problem === undefined) continue;
      problemCount++;
      if (problems.length < 100) {
        problems.push({
          index,
          protocol: request.protocol,
          transport: request.transport,
          path: request.path,
          mutations: request.mutations,
          bodyHex: request.body.subarray(0, 200).toString("hex"),
          problem: verdict.problem,
        });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
    for (const session of sessions) session?.destroy();
  }
  return { seed: options.seed, cases: options.cases, sent: next, outcomes, problemCount, problems };
}

/** The problems grouped by protocol and message (digits as N), with one example case each, most frequent first. */
export function problemGroups(
  result: FuzzRunResult,
): { key: string; count: number; example: FuzzProblem }[] {
  const groups = new Map<string, { key: string; count: number; example: FuzzProblem }>();
  for (const problem of result.problems) {
    const key = `${problem.protocol}: ${problem.problem.replace(/\d+/g, "N").slice(0, 120)}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { key, count: 1, example: problem });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** The problems grouped by protocol and message, with one example case each. */
export function describeProblems(result: FuzzRunResult): string {
  const lines = problemGroups(result).map(
    ({ key, count, example }) =>
      `  ${count}× ${key}\n    e.g. case ${example.index} (${example.transport} ${example.path}): ${example.mutations.join("; ")}`,
  );
  return `seed ${result.seed}: ${result.problemCount} of ${result.sent} responses were not well-formed or were internal/unknown (first ${result.problems.length} grouped):\n${lines.join("\n")}`;
}

function sendH1(
  url: string,
  agent: http.Agent,
  request: FuzzCase,
  timeoutMs: number,
): Promise<FuzzResponse> {
  return new Promise((resolve) => {
    const req = http.request(`${url}${request.path}`, {
      method: "POST",
      agent,
      headers: { "content-type": request.contentType, "content-length": request.body.length },
      signal: AbortSignal.timeout(timeoutMs),
    });
    req.on("error", (error) =>
      resolve({
        status: undefined,
        headers: {},
        body: Buffer.alloc(0),
        trailers: {},
        error: error.message,
      }),
    );
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error) =>
        resolve({
          status: undefined,
          headers: {},
          body: Buffer.alloc(0),
          trailers: {},
          error: error.message,
        }),
      );
      res.on("end", () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks),
          trailers: res.trailers,
        }),
      );
    });
    req.end(request.body);
  });
}

function sendH2(
  session: http2.ClientHttp2Session,
  request: FuzzCase,
  timeoutMs: number,
): Promise<FuzzResponse> {
  return new Promise((resolve) => {
    const stream = session.request(
      {
        ":method": "POST",
        ":path": request.path,
        "content-type": request.contentType,
        ...(request.protocol === "grpc" ? { te: "trailers" } : {}),
      },
      { signal: AbortSignal.timeout(timeoutMs) },
    );
    let status: number | undefined;
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    let error: string | undefined;
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      headers = h;
    });
    stream.on("trailers", (t) => {
      trailers = t;
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", (e) => {
      error ??= e.message;
    });
    stream.on("close", () => {
      resolve({
        status,
        headers,
        body: Buffer.concat(chunks),
        trailers,
        // A stream reset after the response began is judged by what arrived (a gRPC call then
        // lacks its grpc-status); one reset before it is no answer.
        ...(status === undefined
          ? { error: error ?? `stream reset with code ${stream.rstCode}` }
          : {}),
      });
    });
    stream.end(request.body);
  });
}
