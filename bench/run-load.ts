import { setTimeout as sleep } from "node:timers/promises";
import { errorCode } from "./error-code.js";
import type { GatewayUsage } from "./gateway-usage.js";
import { machineBusyMs } from "./machine-cpu.js";

/** What a call can report besides its own duration. */
export interface CallContext {
  /** Index of the worker making the call, 0 … concurrency − 1 (for per-worker state). */
  readonly worker: number;
  /** Records under `name` the time since this call started, e.g. its first streamed event. */
  mark(name: string): void;
  /** Leaves this successful call out of the results: it was set-up, not a sample. */
  discard(): void;
}

/** One call of a scenario: resolves on success, throws on failure (counted by `errorCode`). */
export type BenchCall = (context: CallContext) => Promise<void>;

/** Options of `runLoad`. */
export interface RunLoadOptions {
  readonly call: BenchCall;
  /** Calls in flight at every moment (a closed loop: each worker starts its next call at once). */
  readonly concurrency: number;
  /** Calls during this first part are made but not counted, in milliseconds. */
  readonly warmupMs: number;
  /** The measured window, in milliseconds; calls started in it are counted. */
  readonly durationMs: number;
  /** Samples the gateway's CPU time at the window's start and end. */
  readonly gatewayUsage?: () => Promise<GatewayUsage>;
}

/** What happened in the measured window. */
export interface LoadResult {
  readonly durationMs: number;
  readonly concurrency: number;
  /** Successful calls started in the window. */
  readonly completed: number;
  /** Failed calls started in the window, by `errorCode`. */
  readonly errors: Readonly<Record<string, number>>;
  /** The first message seen per error code, to tell what went wrong. */
  readonly errorMessages: Readonly<Record<string, string>>;
  /** Duration of each successful call, in milliseconds. */
  readonly latenciesMs: readonly number[];
  /** Marks of the successful calls by name, in milliseconds since their call started. */
  readonly marksMs: Readonly<Record<string, readonly number[]>>;
  /** CPU time (user + system) over the window as a share of one core: 1 = one core busy. */
  readonly clientCpuCores: number;
  readonly gatewayCpuCores: number | undefined;
  /** Cores busy on the whole machine over the window: beyond the two above is someone else. */
  readonly machineCpuCores: number;
}

/**
 * Runs `call` in a closed loop with `concurrency` workers for `warmupMs + durationMs`, counting
 * only the calls that start in the measured window (they may finish after it).
 */
export async function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  const { call, concurrency, warmupMs, durationMs } = options;
  const startMs = performance.now();
  const windowStartMs = startMs + warmupMs;
  const windowEndMs = windowStartMs + durationMs;
  const latenciesMs: number[] = [];
  const marksMs: Record<string, number[]> = {};
  const errors: Record<string, number> = {};
  const errorMessages: Record<string, string> = {};

  async function worker(index: number): Promise<void> {
    while (performance.now() < windowEndMs) {
      const callStartMs = performance.now();
      const counted = callStartMs >= windowStartMs;
      const marks: [string, number][] = [];
      let discarded = false;
      const context: CallContext = {
        worker: index,
        mark: (name) => marks.push([name, performance.now() - callStartMs]),
        discard: () => {
          discarded = true;
        },
      };
      try {
        await call(context);
        if (!counted || discarded) continue;
        latenciesMs.push(performance.now() - callStartMs);
        for (const [name, ms] of marks) {
          const series = marksMs[name] ?? [];
          series.push(ms);
          marksMs[name] = series;
        }
      } catch (error) {
        // A call that fails at once would otherwise spin on microtasks and starve the timers.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (!counted) continue;
        const code = errorCode(error);
        errors[code] = (errors[code] ?? 0) + 1;
        errorMessages[code] ??= error instanceof Error ? error.message : String(error);
      }
    }
  }

  async function sampleWindow(): Promise<{
    clientUs: number;
    gatewayUs: number | undefined;
    machineMs: number;
  }> {
    await sleep(Math.max(0, windowStartMs - performance.now()));
    const clientStart = process.cpuUsage();
    const machineStartMs = machineBusyMs();
    const gatewayStart = await options.gatewayUsage?.();
    await sleep(Math.max(0, windowEndMs - performance.now()));
    const client = process.cpuUsage(clientStart);
    const machineMs = machineBusyMs() - machineStartMs;
    const gatewayEnd = await options.gatewayUsage?.();
    const gatewayUs =
      gatewayStart && gatewayEnd
        ? gatewayEnd.cpuUserUs +
          gatewayEnd.cpuSystemUs -
          gatewayStart.cpuUserUs -
          gatewayStart.cpuSystemUs
        : undefined;
    return { clientUs: client.user + client.system, gatewayUs, machineMs };
  }

  const workers = Array.from({ length: concurrency }, (_, index) => worker(index));
  const [cpu] = await Promise.all([sampleWindow(), ...workers]);
  const windowUs = durationMs * 1_000;
  return {
    durationMs,
    concurrency,
    completed: latenciesMs.length,
    errors,
    errorMessages,
    latenciesMs,
    marksMs,
    clientCpuCores: cpu.clientUs / windowUs,
    gatewayCpuCores: cpu.gatewayUs === undefined ? undefined : cpu.gatewayUs / windowUs,
    machineCpuCores: cpu.machineMs / durationMs,
  };
}
