import type { LatencySummary } from "../latency-summary.js";

/** The gateways compared. */
export type GatewayName = "ai-warp" | "switchboard";

/** One row of the side-by-side: one gateway under one load. */
export interface Measurement {
  /** The scenario, "a" … "e"; rows of one scenario compare. */
  readonly scenario: string;
  readonly gateway: GatewayName;
  /** What was called and how, e.g. "StreamPrompt, Connect JSON, HTTP/1.1". */
  readonly label: string;
  /** The load generator: "undici" (this process, HTTP/1.1) or "ghz" (gRPC). */
  readonly generator: "undici" | "ghz";
  /** Calls in flight at every moment. */
  readonly concurrency: number;
  /** The measured window, in milliseconds. */
  readonly durationMs: number;
  /** Successful calls started in the window. */
  readonly ok: number;
  /** Failed calls by code (ghz: by gRPC status). */
  readonly errors: Readonly<Record<string, number>>;
  /** The first message seen per error code. */
  readonly errorMessages: Readonly<Record<string, string>>;
  /** Successful calls (or streams) per second over the window. */
  readonly perSecond: number;
  /** Call durations, client side, in milliseconds. */
  readonly latency: LatencySummary;
  /** Live streams: the time a stream takes with no gateway (chunks × delay), in milliseconds. */
  readonly idealMs?: number;
  /** Upstream chunks each call relays; undefined for unary calls (the upstream answers whole). */
  readonly chunksPerCall?: number;
  /** Gateway CPU time (user + system) over the span the calls below ran in, in milliseconds. */
  readonly gatewayCpuMs: number;
  /** Successful calls that span holds (a call that ran partly in it counts in part). */
  readonly callsInCpuSpan: number;
  /** Gateway CPU time per successful call, in milliseconds. */
  readonly cpuMsPerCall: number | undefined;
  /** Gateway CPU time per relayed upstream chunk, in microseconds (streamed calls only). */
  readonly cpuUsPerChunk: number | undefined;
  /** Gateway CPU over that span as cores kept busy (1 = one core). */
  readonly gatewayCpuCores: number;
  /** The gateway's resident set size right after this load, in bytes. */
  readonly rssBytes: number;
}

/** The CPU figures of a measurement from the CPU time and the calls it paid for. */
export function cpuPerCall(
  gatewayCpuMs: number,
  calls: number,
  chunksPerCall: number | undefined,
): Pick<Measurement, "cpuMsPerCall" | "cpuUsPerChunk"> {
  if (calls <= 0) return { cpuMsPerCall: undefined, cpuUsPerChunk: undefined };
  const cpuMsPerCall = gatewayCpuMs / calls;
  return {
    cpuMsPerCall,
    cpuUsPerChunk: chunksPerCall === undefined ? undefined : (cpuMsPerCall * 1_000) / chunksPerCall,
  };
}
