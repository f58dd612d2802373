import { summarizeLatencies } from "../latency-summary.js";
import { runLoad } from "../run-load.js";
import type { RunningServer } from "./bench-child.js";
import { createHttpCall, type HttpCallKind } from "./http-calls.js";
import { cpuPerCall, type GatewayName, type Measurement } from "./measurement.js";
import { processCpuMs, processRssBytes } from "./process-usage.js";

/** Options of `measureHttp`. */
export interface MeasureHttpOptions {
  readonly scenario: string;
  readonly gateway: GatewayName;
  readonly server: RunningServer;
  readonly label: string;
  readonly kind: HttpCallKind;
  readonly prompt: string;
  /** Calls in flight at every moment, each on its own HTTP/1.1 connection. */
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Upstream chunks each call relays (streamed calls). */
  readonly chunksPerCall?: number;
  /** Live streams: chunks × delay, in milliseconds. */
  readonly idealMs?: number;
}

/**
 * Loads one gateway with `bench/run-load.ts` (a closed loop of `concurrency` workers, undici
 * on HTTP/1.1 keep-alive) for the warm-up and the window. Rate and latencies are the window's.
 * Gateway CPU (from /proc, so it costs the gateway nothing) is taken from the window's start
 * until the last call has ended, and divided by the calls that span holds, each call counting
 * for the share of its duration inside it: a 2 s stream started in the warm-up is paid for in
 * part, and the streams still running at the window's end are paid for in full.
 */
export async function measureHttp(options: MeasureHttpOptions): Promise<Measurement> {
  const { server, warmupMs, durationMs } = options;
  const http = createHttpCall(options.kind, server.url, options.prompt, options.concurrency);
  const windowStartMs = performance.now() + warmupMs;
  let callsInCpuSpan = 0;
  let cpuAtWindowStartMs = 0;
  const sampleStart = setTimeout(() => {
    cpuAtWindowStartMs = processCpuMs(server.pid);
  }, warmupMs);
  try {
    const result = await runLoad({
      concurrency: options.concurrency,
      warmupMs,
      durationMs,
      async call(context) {
        const startMs = performance.now();
        await http.call(context);
        const endMs = performance.now();
        if (endMs > windowStartMs) {
          callsInCpuSpan += (endMs - Math.max(startMs, windowStartMs)) / (endMs - startMs || 1);
        }
      },
    });
    const gatewayCpuMs = processCpuMs(server.pid) - cpuAtWindowStartMs;
    const spanMs = performance.now() - windowStartMs;
    return {
      scenario: options.scenario,
      gateway: options.gateway,
      label: options.label,
      generator: "undici",
      concurrency: options.concurrency,
      durationMs,
      ok: result.completed,
      errors: result.errors,
      errorMessages: result.errorMessages,
      perSecond: result.completed / (durationMs / 1_000),
      latency: summarizeLatencies(result.latenciesMs),
      ...(options.idealMs === undefined ? {} : { idealMs: options.idealMs }),
      ...(options.chunksPerCall === undefined ? {} : { chunksPerCall: options.chunksPerCall }),
      gatewayCpuMs,
      callsInCpuSpan,
      ...cpuPerCall(gatewayCpuMs, callsInCpuSpan, options.chunksPerCall),
      gatewayCpuCores: gatewayCpuMs / spanMs,
      rssBytes: processRssBytes(server.pid),
    };
  } finally {
    clearTimeout(sampleStart);
    await http.close();
  }
}
