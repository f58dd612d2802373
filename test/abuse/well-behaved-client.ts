import * as http from "node:http";
import { setTimeout as delay } from "node:timers/promises";

/** The address the well-behaved client connects from; attackers use 127.0.0.2 and up. */
export const GOOD_CLIENT_ADDRESS = "127.0.0.1";

/** What one plain HTTP/1.1 request got. */
export interface PlainResponse {
  /** HTTP status, or undefined when no response arrived (`error` says why). */
  readonly status: number | undefined;
  readonly body: string;
  readonly error?: string;
  readonly latencyMs: number;
}

/**
 * One request on a fresh HTTP/1.1 connection from 127.0.0.1 (or `localAddress`); never rejects.
 * `signal` (or `timeoutMs`) gives up waiting, reported as an error with the time waited so far.
 */
export function plainRequest(
  url: string,
  init: {
    readonly method?: string;
    readonly path: string;
    readonly headers?: Record<string, string>;
    readonly body?: string | Buffer;
    readonly timeoutMs?: number;
    readonly signal?: AbortSignal;
    readonly localAddress?: string;
  },
): Promise<PlainResponse> {
  const started = performance.now();
  return new Promise((resolve) => {
    const signals = [AbortSignal.timeout(Math.ceil(init.timeoutMs ?? 10_000))];
    if (init.signal) signals.push(init.signal);
    const request = http.request(`${url}${init.path}`, {
      method: init.method ?? "GET",
      headers: init.headers,
      agent: false,
      localAddress: init.localAddress ?? GOOD_CLIENT_ADDRESS,
      signal: AbortSignal.any(signals),
    });
    const fail = (error: Error): void =>
      resolve({
        status: undefined,
        body: "",
        error: error.message,
        latencyMs: performance.now() - started,
      });
    request.on("error", fail);
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", fail);
      response.on("end", () =>
        resolve({
          status: response.statusCode,
          body: Buffer.concat(chunks).toString("utf8"),
          latencyMs: performance.now() - started,
        }),
      );
    });
    request.end(init.body);
  });
}

/** A normal Connect JSON `Prompt` with `{"prompt":"hi"}`. */
export function promptHi(url: string, timeoutMs = 10_000): Promise<PlainResponse> {
  return plainRequest(url, {
    method: "POST",
    path: "/switchboard.v1.PromptService/Prompt",
    headers: { "content-type": "application/json" },
    body: '{"prompt":"hi"}',
    timeoutMs,
  });
}

/** Latency of `GET /healthz` polled during an attack. */
export interface HealthReport {
  readonly samples: number;
  /** Polls that got no 200 (an error, a timeout or another status), with what they got. */
  readonly failures: readonly string[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /**
   * Polls still unanswered when `stop` gave up waiting for them (counted in `failures`, with
   * the time waited so far as their latency: `maxMs` is then a lower bound).
   */
  readonly unfinished: number;
}

/**
 * Polls `GET /healthz` every `intervalMs` (default 100) on a fresh connection from 127.0.0.1,
 * one poll at a time, as a load balancer does; a poll gives up after 30 s. `stop` ends the
 * polling once the poll in progress has its answer, so that a slow answer during the attack
 * is measured in full; or at most `giveUpAfterMs` later, when given.
 */
export function startHealthPoller(
  url: string,
  intervalMs = 100,
): { stop(giveUpAfterMs?: number): Promise<HealthReport> } {
  const latencies: number[] = [];
  const failures: string[] = [];
  let unfinished = 0;
  const stopping = new AbortController();
  const givingUp = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const started = performance.now();
      const response = await plainRequest(url, {
        path: "/healthz",
        timeoutMs: 30_000,
        signal: givingUp.signal,
      });
      latencies.push(response.latencyMs);
      if (response.status === undefined && givingUp.signal.aborted) {
        unfinished++;
        failures.push(`${Math.round(response.latencyMs)} ms: no answer yet when polling stopped`);
      } else if (response.status !== 200) {
        failures.push(
          `${Math.round(response.latencyMs)} ms: ${response.status ?? response.error ?? "?"}`,
        );
      }
      const wait = intervalMs - (performance.now() - started);
      if (wait > 0) await delay(wait, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();
  return {
    async stop(giveUpAfterMs) {
      stopping.abort(new Error("health poller stopped"));
      const giveUp =
        giveUpAfterMs === undefined
          ? undefined
          : setTimeout(() => givingUp.abort(new Error("gave up")), giveUpAfterMs);
      await loop;
      clearTimeout(giveUp);
      return summarise(latencies, failures, unfinished);
    },
  };
}

function summarise(
  latencies: readonly number[],
  failures: readonly string[],
  unfinished: number,
): HealthReport {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted.length === 0
      ? Number.NaN
      : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    samples: sorted.length,
    failures,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    unfinished,
  };
}

/**
 * Time until `GET /healthz` answers 200 again, retrying at once after each failure for at most
 * `limitMs`; undefined when it never does.
 */
export async function timeUntilHealthy(url: string, limitMs: number): Promise<number | undefined> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    const left = limitMs - (performance.now() - started);
    const response = await plainRequest(url, { path: "/healthz", timeoutMs: left });
    if (response.status === 200) return performance.now() - started;
    // Refused: nothing listens any more; a reset: try again at once.
    if (response.error?.includes("ECONNREFUSED")) return undefined;
  }
  return undefined;
}
