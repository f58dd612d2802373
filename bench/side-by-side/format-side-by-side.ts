import type { Measurement } from "./measurement.js";

/** Switchboard ÷ AI Warp for one scenario both gateways ran. */
export interface Ratio {
  readonly scenario: string;
  /** Calls (or streams) per second: above 1, Switchboard served more. */
  readonly perSecond: number | undefined;
  /** Gateway CPU time per call: below 1, Switchboard spent less. */
  readonly cpuPerCall: number | undefined;
  /** Live streams: added p99 over the ideal time; below 1, Switchboard added less. */
  readonly addedP99: number | undefined;
}

/** The ratios of every scenario with a row of each gateway. */
export function ratiosOf(measurements: readonly Measurement[]): Ratio[] {
  const scenarios = [...new Set(measurements.map((row) => row.scenario))];
  return scenarios.flatMap((scenario) => {
    const of = (gateway: string) =>
      measurements.find((row) => row.scenario === scenario && row.gateway === gateway);
    const aiWarp = of("ai-warp");
    const switchboard = of("switchboard");
    if (aiWarp === undefined || switchboard === undefined) return [];
    const divide = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined || b === 0 ? undefined : a / b;
    const added = (row: Measurement) =>
      row.idealMs === undefined ? undefined : Math.max(0, row.latency.p99Ms - row.idealMs);
    return [
      {
        scenario,
        perSecond: divide(switchboard.perSecond, aiWarp.perSecond),
        cpuPerCall: divide(switchboard.cpuMsPerCall, aiWarp.cpuMsPerCall),
        addedP99: divide(added(switchboard), added(aiWarp)),
      },
    ];
  });
}

const COLUMNS = [
  // Widened to the longest label.
  ["scenario, gateway: call", 24],
  ["ok", 7],
  ["errors", 6],
  ["calls/s", 8],
  ["p50 ms", 8],
  ["p99 ms", 8],
  ["gw cores", 8],
  ["gw ms/call", 10],
  ["gw µs/chunk", 11],
  ["RSS MB", 7],
  ["SB÷AW calls/s", 13],
  ["SB÷AW CPU/call", 14],
] as const;

/**
 * The measurements as one aligned table, the two gateways of a scenario on consecutive lines;
 * the ratio columns (Switchboard ÷ AI Warp) are on the Switchboard line of each pair. Live
 * streams show their latency as what the gateway added over the ideal stream time ("+12.3").
 */
export function formatSideBySide(
  measurements: readonly Measurement[],
  ratios: readonly Ratio[],
): string {
  const labels = measurements.map((row) => `${row.scenario}. ${row.gateway}: ${row.label}`);
  const labelWidth = Math.max(COLUMNS[0][1], ...labels.map((label) => label.length));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, index) => {
        const width = index === 0 ? labelWidth : (COLUMNS[index]?.[1] ?? 8);
        return index === 0 ? cell.padEnd(width) : cell.padStart(width);
      })
      .join(" ");
  const fixed = (value: number | undefined, digits: number): string =>
    value === undefined ? "-" : value.toFixed(digits);
  const header = line(COLUMNS.map(([name]) => name));
  const body = measurements.map((row, index) => {
    const ratio =
      row.gateway === "switchboard"
        ? ratios.find((entry) => entry.scenario === row.scenario)
        : undefined;
    const latency = (ms: number): string =>
      row.idealMs === undefined ? ms.toFixed(2) : `+${Math.max(0, ms - row.idealMs).toFixed(1)}`;
    return line([
      labels[index] ?? "",
      String(row.ok),
      String(Object.values(row.errors).reduce((sum, count) => sum + count, 0)),
      row.perSecond.toFixed(0),
      latency(row.latency.p50Ms),
      latency(row.latency.p99Ms),
      row.gatewayCpuCores.toFixed(2),
      fixed(row.cpuMsPerCall, 3),
      fixed(row.cpuUsPerChunk, 1),
      (row.rssBytes / 2 ** 20).toFixed(0),
      ratio === undefined ? "" : fixed(ratio.perSecond, 2),
      ratio === undefined ? "" : fixed(ratio.cpuPerCall, 2),
    ]);
  });
  return [header, "-".repeat(header.length), ...body].join("\n");
}
