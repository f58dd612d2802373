import type { LatencySummary } from "./latency-summary.js";
import type { RetainedStreamsResult } from "./retained-streams.js";

/** One line of the results table: a scenario's latency series (a stream has two). */
export interface ReportRow {
  readonly label: string;
  readonly completed: number;
  /** The measured window, in milliseconds. */
  readonly durationMs: number;
  readonly errorCount: number;
  readonly callsPerSecond: number;
  readonly latency: LatencySummary;
  readonly gatewayCpuCores: number | undefined;
  readonly clientCpuCores: number;
  readonly machineCpuCores: number;
}

const COLUMNS = [
  ["scenario", 54],
  ["ok", 7],
  ["errors", 7],
  ["calls/s", 8],
  ["p50 ms", 8],
  ["p90 ms", 8],
  ["p99 ms", 8],
  ["max ms", 8],
  ["gw CPU", 7],
  ["gw ms/call", 11],
  ["load CPU", 9],
  ["other CPU", 10],
] as const;

/** The results as an aligned text table; CPU columns are cores busy (1.00 = one core). */
export function formatTable(rows: readonly ReportRow[]): string {
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, index) => {
        const width = COLUMNS[index]?.[1] ?? 8;
        return index === 0 ? cell.padEnd(width) : cell.padStart(width);
      })
      .join(" ");
  const header = line(COLUMNS.map(([name]) => name));
  const body = rows.map((row) =>
    line([
      row.label,
      String(row.completed),
      String(row.errorCount),
      row.callsPerSecond.toFixed(0),
      row.latency.p50Ms.toFixed(2),
      row.latency.p90Ms.toFixed(2),
      row.latency.p99Ms.toFixed(2),
      row.latency.maxMs.toFixed(2),
      row.gatewayCpuCores === undefined ? "-" : row.gatewayCpuCores.toFixed(2),
      gatewayCpuMsPerCall(row)?.toFixed(3) ?? "-",
      row.clientCpuCores.toFixed(2),
      otherCpuCores(row).toFixed(2),
    ]),
  );
  return [header, "-".repeat(header.length), ...body].join("\n");
}

/**
 * Gateway CPU time per successful call, in milliseconds: unlike calls/s, it hardly moves when
 * other processes compete for the cores.
 */
export function gatewayCpuMsPerCall(row: ReportRow): number | undefined {
  if (row.gatewayCpuCores === undefined || row.completed === 0) return undefined;
  return (row.gatewayCpuCores * row.durationMs) / row.completed;
}

/** Cores busy on the machine beyond the gateway and the load generator (other processes). */
export function otherCpuCores(row: ReportRow): number {
  return Math.max(0, row.machineCpuCores - (row.gatewayCpuCores ?? 0) - row.clientCpuCores);
}

/** The retained-streams memory figures, one fact a line. */
export function formatMemory(result: RetainedStreamsResult): string {
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(2)} KB`;
  const step = (name: string, usage: RetainedStreamsResult["baseline"]): string =>
    `  ${name.padEnd(34)} rss ${mb(usage.rssBytes).padStart(9)}   heap used ${mb(usage.heapUsedBytes).padStart(9)}   external ${mb(usage.externalBytes).padStart(8)}`;
  const errors = Object.entries(result.errors);
  return [
    step("baseline (after warm-up, GC)", result.baseline),
    step(`+ ${result.streams} sessions (unary Prompt)`, result.afterSessions),
    step(`+ ${result.streams} finished streams`, result.afterStreams),
    `  heap per session with one turn       ${kb(result.heapBytesPerSession)}`,
    `  heap per retained stream             ${kb(result.heapBytesPerStream)}  (its new session included; ${result.eventsPerStream.toFixed(1)} events a stream)`,
    `  heap per stream, session excluded    ${kb(result.heapBytesPerStream - result.heapBytesPerSession)}  (≈ ${((result.heapBytesPerStream - result.heapBytesPerSession) / result.eventsPerStream).toFixed(0)} B an event)`,
    `  rss per retained stream              ${kb(result.rssBytesPerStream)}`,
    `  oldest measured stream still kept    ${typeof result.replayedEventsOfOldest === "number" ? `yes (resume replayed ${result.replayedEventsOfOldest} events)` : result.replayedEventsOfOldest}`,
    `  errors                               ${errors.length === 0 ? "none" : errors.map(([code, count]) => `${code}×${count}`).join(", ")}`,
  ].join("\n");
}
