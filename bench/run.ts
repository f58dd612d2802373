/**
 * Benchmarks the real gateway (in a child process) against the offline demo provider with no
 * delay, so that the figures are the gateway's own cost per call. Prints numbers, asserts none.
 *
 *   npm run bench -- [--duration 10] [--warmup 2] [--concurrency 32] [--streams 5000]
 *                    [--only a,b,c,d,e,memory]
 *
 * Durations are in seconds. The last line of output is one JSON summary.
 */
import { availableParallelism, cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { formatMemory, formatTable, gatewayCpuMsPerCall, type ReportRow } from "./format-report.js";
import { type GatewayChild, spawnGateway } from "./gateway-child.js";
import type { GatewayUsage } from "./gateway-usage.js";
import { summarizeLatencies } from "./latency-summary.js";
import { measureMachineBusyCores } from "./machine-cpu.js";
import { measureRetainedStreams, type RetainedStreamsResult } from "./retained-streams.js";
import { runLoad } from "./run-load.js";
import { SCENARIOS, type Scenario } from "./scenarios.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    concurrency: { type: "string", default: "32" },
    streams: { type: "string", default: "5000" },
    only: { type: "string", default: [...Object.keys(SCENARIOS), "memory"].join(",") },
  },
});

function nonNegative(name: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new Error(
      `--${name} must be a ${integer ? "whole number" : "number"} ≥ 0, got "${text}"`,
    );
  }
  return value;
}

const durationMs = nonNegative("duration", values.duration, false) * 1_000;
const warmupMs = nonNegative("warmup", values.warmup, false) * 1_000;
const concurrency = Math.max(1, nonNegative("concurrency", values.concurrency, true));
const streams = Math.max(1, nonNegative("streams", values.streams, true));
const only = new Set(values.only.split(",").map((id) => id.trim()));
for (const id of only) {
  if (id !== "memory" && !Object.hasOwn(SCENARIOS, id)) {
    throw new Error(
      `--only: unknown scenario "${id}" (known: ${Object.keys(SCENARIOS).join(", ")}, memory)`,
    );
  }
}

const machine = {
  cpus: cpus().length,
  availableParallelism: availableParallelism(),
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryBytes: totalmem(),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};
console.log(
  `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, node ${machine.node}, ${machine.platform}`,
);
console.log(
  `settings: ${durationMs / 1_000} s per scenario after ${warmupMs / 1_000} s warm-up, ${concurrency} calls in flight; demo provider, no delay; gateway in a child process, logging silent`,
);

// Other sessions may share this machine: say how busy it is before adding load.
const idleMachineCpuCores = await measureMachineBusyCores(1_000);
console.log(
  `machine busy before the run: ${idleMachineCpuCores.toFixed(2)} of ${machine.cpus} cores (other processes)`,
);

/** What one scenario adds to the report. */
interface ScenarioReport {
  readonly rows: readonly ReportRow[];
  readonly errorLines: readonly string[];
  readonly summary: object;
}

async function measureScenario(scenario: Scenario, gateway: GatewayChild): Promise<ScenarioReport> {
  const label = `${scenario.id}. ${scenario.title}`;
  process.stdout.write(`running ${label} …`);
  const result = await runLoad({
    call: scenario.call,
    concurrency,
    warmupMs,
    durationMs,
    gatewayUsage: gateway.usage,
  }).finally(() => scenario.close());
  const callsPerSecond = result.completed / (durationMs / 1_000);
  console.log(` ${callsPerSecond.toFixed(0)} calls/s`);
  const common = {
    completed: result.completed,
    durationMs,
    errorCount: Object.values(result.errors).reduce((sum, count) => sum + count, 0),
    callsPerSecond,
    gatewayCpuCores: result.gatewayCpuCores,
    clientCpuCores: result.clientCpuCores,
    machineCpuCores: result.machineCpuCores,
  };
  const latency = summarizeLatencies(result.latenciesMs);
  const marks = scenario.marks.map((mark) => ({
    mark,
    latency: summarizeLatencies(result.marksMs[mark] ?? []),
  }));
  const suffix = marks.length > 0 ? ` — ${scenario.durationLabel}` : "";
  const rows: ReportRow[] = [
    ...marks.map((entry) => ({
      ...common,
      label: `${label} — ${entry.mark}`,
      latency: entry.latency,
    })),
    { ...common, label: `${label}${suffix}`, latency },
  ];
  return {
    rows,
    errorLines: Object.entries(result.errors).map(
      ([code, count]) => `  ${scenario.id}: ${code} × ${count}: ${result.errorMessages[code]}`,
    ),
    summary: {
      id: scenario.id,
      title: scenario.title,
      ...common,
      gatewayCpuMsPerCall: gatewayCpuMsPerCall({ ...common, label, latency }),
      errors: result.errors,
      latencyMs: latency,
      ...(marks.length > 0
        ? { marksMs: Object.fromEntries(marks.map((entry) => [entry.mark, entry.latency])) }
        : {}),
    },
  };
}

const reports: ScenarioReport[] = [];
let mainGatewayAfter: GatewayUsage | undefined;
const scenarioIds = Object.keys(SCENARIOS).filter((id) => only.has(id));
if (scenarioIds.length > 0) {
  // The production stream cap: scenario d's streams evict each other as they would in service.
  const gateway = await spawnGateway({ maxRetainedStreams: 1_000 });
  try {
    for (const id of scenarioIds) {
      const scenario = SCENARIOS[id]!({ url: gateway.url, port: gateway.port, concurrency });
      reports.push(await measureScenario(scenario, gateway));
    }
    mainGatewayAfter = await gateway.memory();
  } finally {
    await gateway.stop();
  }
}
const rows = reports.flatMap((report) => report.rows);
const errorLines = reports.flatMap((report) => report.errorLines);

let memory: RetainedStreamsResult | undefined;
if (only.has("memory")) {
  process.stdout.write(`running memory: ${streams} retained streams on a fresh gateway …`);
  memory = await measureRetainedStreams({ streams, concurrency });
  console.log(" done");
}

if (rows.length > 0) {
  console.log("");
  console.log(formatTable(rows));
  console.log(
    "  latencies per call, client side; CPU: cores busy in the window (gw = gateway process,\n" +
      "  load = this load generator, other = the rest of the machine, e.g. other test runs);\n" +
      "  gw ms/call = gateway CPU time per call, the figure least moved by other load",
  );
  console.log(`errors:${errorLines.length === 0 ? " none" : `\n${errorLines.join("\n")}`}`);
}
if (mainGatewayAfter !== undefined) {
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  console.log(
    `gateway after the scenarios (GC): rss ${mb(mainGatewayAfter.rssBytes)}, heap used ${mb(mainGatewayAfter.heapUsedBytes)}`,
  );
}
if (memory !== undefined) {
  console.log("");
  console.log(`memory, ${streams} retained finished streams (gateway heap after a full GC):`);
  console.log(formatMemory(memory));
}

console.log("");
console.log(
  JSON.stringify({
    type: "switchboard-bench",
    machine: { ...machine, busyCoresBeforeRun: idleMachineCpuCores },
    settings: { durationMs, warmupMs, concurrency, streams },
    scenarios: reports.map((report) => report.summary),
    gatewayAfterScenarios: mainGatewayAfter,
    memory,
  }),
);
