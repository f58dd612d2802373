import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { LatencySummary } from "../latency-summary.js";
import type { RunningServer } from "./bench-child.js";
import { cpuPerCall, type Measurement } from "./measurement.js";
import { processCpuMs, processRssBytes } from "./process-usage.js";

/** Options of `measureGhz`. */
export interface MeasureGhzOptions {
  readonly scenario: string;
  readonly server: RunningServer;
  readonly label: string;
  /** The fully qualified method, e.g. "switchboard.v1.PromptService.Prompt". */
  readonly method: string;
  readonly request: object;
  /** Calls in flight at every moment, all on one HTTP/2 connection. */
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Upstream chunks each call relays (streamed calls). */
  readonly chunksPerCall?: number;
}

/** Where scripts/install-bench-peers.sh installs ghz. */
const GHZ_PATH = fileURLToPath(new URL("../../.tools/go-bin/ghz", import.meta.url));
const run = promisify(execFile);

/** The parts of ghz's JSON report read here (times in nanoseconds). */
interface GhzReport {
  readonly count: number;
  readonly total: number;
  readonly slowest: number;
  readonly statusCodeDistribution?: Readonly<Record<string, number>>;
  readonly errorDistribution?: Readonly<Record<string, number>>;
  readonly latencyDistribution?: readonly { percentage: number; latency: number }[] | null;
}

/**
 * Loads Switchboard over gRPC with ghz (cleartext HTTP/2, one connection, the method found by
 * reflection): a run of `warmupMs` whose figures are dropped, then the measured run. ghz ends a
 * run by closing its connection, so the calls in flight then fail (`Canceled`, or `Unavailable`
 * "transport is closing"): they are counted as errors and say nothing about the gateway. Gateway CPU is taken over the
 * measured run and divided by its successful calls.
 */
export async function measureGhz(options: MeasureGhzOptions): Promise<Measurement> {
  if (!existsSync(GHZ_PATH)) {
    throw new Error("ghz is not installed: run scripts/install-bench-peers.sh");
  }
  const { server, durationMs } = options;
  if (options.warmupMs > 0) await ghz(options, options.warmupMs);
  const cpuStartMs = processCpuMs(server.pid);
  const startMs = performance.now();
  const report = await ghz(options, durationMs);
  const gatewayCpuMs = processCpuMs(server.pid) - cpuStartMs;
  const spanMs = performance.now() - startMs;
  const statuses = report.statusCodeDistribution ?? {};
  const ok = statuses.OK ?? 0;
  const errors = Object.fromEntries(Object.entries(statuses).filter(([code]) => code !== "OK"));
  // ghz counts messages apart from statuses; a message names its status ("code = Canceled").
  const errorMessages: Record<string, string> = {};
  for (const message of Object.keys(report.errorDistribution ?? {})) {
    const status = /code = (\w+)/.exec(message)?.[1] ?? "unknown";
    errorMessages[status] ??= message;
  }
  return {
    scenario: options.scenario,
    gateway: "switchboard",
    label: options.label,
    generator: "ghz",
    concurrency: options.concurrency,
    durationMs,
    ok,
    errors,
    errorMessages,
    perSecond: ok / (report.total / 1e9),
    latency: latencyOf(report),
    ...(options.chunksPerCall === undefined ? {} : { chunksPerCall: options.chunksPerCall }),
    gatewayCpuMs,
    callsInCpuSpan: ok,
    ...cpuPerCall(gatewayCpuMs, ok, options.chunksPerCall),
    gatewayCpuCores: gatewayCpuMs / spanMs,
    rssBytes: processRssBytes(server.pid),
  };
}

async function ghz(options: MeasureGhzOptions, durationMs: number): Promise<GhzReport> {
  const args = ["--insecure", "--call", options.method, "-d", JSON.stringify(options.request)];
  args.push("-c", String(options.concurrency), "--connections", "1");
  args.push("-z", `${durationMs}ms`, "--format", "json", `127.0.0.1:${options.server.port}`);
  // The report lists every call ("details"): tens of MB at high rates.
  const { stdout } = await run(GHZ_PATH, args, { maxBuffer: 1 << 30 });
  return JSON.parse(stdout) as GhzReport;
}

/** ghz's latency percentiles (of the successful calls), in milliseconds. */
function latencyOf(report: GhzReport): LatencySummary {
  const at = (percentage: number): number =>
    (report.latencyDistribution?.find((entry) => entry.percentage === percentage)?.latency ?? 0) /
    1e6;
  return {
    count: report.count,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    maxMs: report.slowest / 1e6,
  };
}
