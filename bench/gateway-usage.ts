/** Memory and CPU time of the gateway process, as `gateway-process.ts` reports them. */
export interface GatewayUsage {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
  readonly arrayBuffersBytes: number;
  /** CPU time since the process started, in microseconds. */
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  /** Whether a full GC ran just before the figures were taken. */
  readonly collected: boolean;
}

const NUMBER_FIELDS = [
  "rssBytes",
  "heapUsedBytes",
  "heapTotalBytes",
  "externalBytes",
  "arrayBuffersBytes",
  "cpuUserUs",
  "cpuSystemUs",
] as const;

/** Reads a `{"type":"usage", …}` line; undefined for any other line. */
export function parseGatewayUsage(value: unknown): GatewayUsage | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.type !== "usage" || typeof record.collected !== "boolean") return undefined;
  const numbers: Partial<Record<(typeof NUMBER_FIELDS)[number], number>> = {};
  for (const field of NUMBER_FIELDS) {
    const number = record[field];
    if (typeof number !== "number") return undefined;
    numbers[field] = number;
  }
  return {
    ...(numbers as Record<(typeof NUMBER_FIELDS)[number], number>),
    collected: record.collected,
  };
}
