/**
 * Switchboard and Platformatic AI Warp's engine in one run, on one machine, against one lean
 * upstream (`lean-upstream.ts`), with one load generator per protocol: undici in this process
 * for HTTP/1.1 (`bench/run-load.ts`), ghz for gRPC. Each scenario measures the two gateways back
 * to back, so that both see the same machine; prints one table with Switchboard ÷ AI Warp
 * ratios and, last, one line of JSON. Asserts nothing.
 *
 *   npm run bench:side-by-side -- [--duration 10] [--warmup 2] [--connections 20]
 *       [--streams 500] [--chunks 100] [--delay 20] [--only a,b,c,d] [--valkey]
 *
 * a. unary: AI Warp `POST /api/v1/prompt` vs Switchboard Prompt, Connect JSON, HTTP/1.1;
 * b. streamed: AI Warp `POST /api/v1/stream` (SSE) vs StreamPrompt, Connect JSON, HTTP/1.1;
 * c. Switchboard alone over gRPC (ghz, one HTTP/2 connection): Prompt and StreamPrompt;
 * d. live streams: `--streams` at once, each `--chunks` chunks `--delay` ms apart, both gateways;
 * e. (`--valkey`) d again with both gateways storing on one real Valkey.
 * a–c use `--connections` calls in flight and an upstream streaming 20 chunks with no delay.
 * Durations are in seconds. Needs scripts/install-bench-peers.sh (the npm script runs it).
 */
import { availableParallelism, cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { startValkeyServer } from "../../test/support/valkey-server.js";
import { measureMachineBusyCores } from "../machine-cpu.js";
import { BENCH_PROMPT } from "../scenarios.js";
import { formatSideBySide, ratiosOf } from "./format-side-by-side.js";
import type { HttpCallKind } from "./http-calls.js";
import { measureGhz } from "./measure-ghz.js";
import { measureHttp } from "./measure-http.js";
import type { GatewayName, Measurement } from "./measurement.js";
import { createServerGroup } from "./server-group.js";
import { startAiWarp } from "./start-aiwarp.js";
import { ensureBuilt, startSwitchboard } from "./start-switchboard.js";
import { startLeanUpstream } from "./start-upstream.js";

/** Streamed chunks of every answer in a–c. */
const UPSTREAM_CHUNKS = 20;
/** Switchboard's upstream connections in a–c (`providers.*.maxConnections`). */
const UPSTREAM_CONNECTIONS = 64;
const SCENARIO_IDS = ["a", "b", "c", "d", "e"];

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "20" },
    streams: { type: "string", default: "500" },
    chunks: { type: "string", default: "100" },
    delay: { type: "string", default: "20" },
    only: { type: "string" },
    valkey: { type: "boolean", default: false },
  },
});

function nonNegative(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`--${name} must be a number ≥ 0, got "${text}"`);
  }
  return value;
}
function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a whole number ≥ 1, got "${text}"`);
  }
  return value;
}

const durationMs = nonNegative("duration", values.duration) * 1_000;
const warmupMs = nonNegative("warmup", values.warmup) * 1_000;
const connections = positiveInteger("connections", values.connections);
const streams = positiveInteger("streams", values.streams);
const chunks = positiveInteger("chunks", values.chunks);
const delayMs = nonNegative("delay", values.delay);
const only = new Set(
  (values.only ?? `a,b,c,d${values.valkey ? ",e" : ""}`).split(",").map((id) => id.trim()),
);
for (const id of only) {
  if (!SCENARIO_IDS.includes(id)) {
    throw new Error(`--only: unknown scenario "${id}" (known: ${SCENARIO_IDS.join(", ")})`);
  }
}
if (durationMs === 0) throw new Error("--duration must be above 0");

const machine = {
  cpus: cpus().length,
  availableParallelism: availableParallelism(),
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryBytes: totalmem(),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};
const idealMs = chunks * delayMs;
const settings = { durationMs, warmupMs, connections, streams, chunks, delayMs, idealMs };
console.log(
  `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, node ${machine.node}`,
);
console.log(
  `settings: ${durationMs / 1_000} s per row after ${warmupMs / 1_000} s warm-up; a–c: ${connections} calls in flight, ${UPSTREAM_CHUNKS} chunks, no delay; d–e: ${streams} streams × ${chunks} chunks, ${delayMs} ms apart (ideal ${idealMs} ms)`,
);

ensureBuilt();
// Other sessions may share this machine: say how busy it is before adding load.
const busyCoresBeforeRun = await measureMachineBusyCores(1_000);
console.log(
  `machine busy before the run: ${busyCoresBeforeRun.toFixed(2)} of ${machine.cpus} cores`,
);

const measurements: Measurement[] = [];
async function record(title: string, measure: () => Promise<Measurement>): Promise<void> {
  process.stdout.write(`running ${title} …`);
  const measurement = await measure();
  measurements.push(measurement);
  console.log(` ${measurement.perSecond.toFixed(0)}/s`);
}

/** a–c: a zero-latency upstream; what each gateway costs per call. */
async function zeroLatencyScenarios(): Promise<void> {
  const group = createServerGroup();
  try {
    const upstream = group.add(await startLeanUpstream({ chunks: UPSTREAM_CHUNKS, delayMs: 0 }));
    const aiWarp =
      only.has("a") || only.has("b")
        ? group.add(await startAiWarp({ upstreamUrl: upstream.url, pipelining: 2 }))
        : undefined;
    const switchboard = group.add(
      await startSwitchboard({
        upstreamUrl: upstream.url,
        upstreamConnections: UPSTREAM_CONNECTIONS,
        callsPerClient: Math.max(1_000, 2 * connections),
      }),
    );
    const common = { prompt: BENCH_PROMPT, concurrency: connections, warmupMs, durationMs };
    const http = (
      scenario: string,
      gateway: GatewayName,
      kind: HttpCallKind,
      label: string,
      streamed: boolean,
    ) =>
      record(`${scenario}. ${gateway}: ${label}`, () =>
        measureHttp({
          ...common,
          scenario,
          gateway,
          server: gateway === "ai-warp" ? aiWarp! : switchboard,
          kind,
          label,
          ...(streamed ? { chunksPerCall: UPSTREAM_CHUNKS } : {}),
        }),
      );
    if (only.has("a")) {
      await http("a", "ai-warp", "ai-warp-prompt", "/api/v1/prompt, JSON, HTTP/1.1", false);
      await http("a", "switchboard", "switchboard-prompt", "Prompt, Connect JSON, HTTP/1.1", false);
    }
    if (only.has("b")) {
      await http("b", "ai-warp", "ai-warp-stream", "/api/v1/stream, SSE, HTTP/1.1", true);
      const label = "StreamPrompt, Connect JSON, HTTP/1.1";
      await http("b", "switchboard", "switchboard-stream", label, true);
    }
    if (only.has("c")) {
      for (const [method, streamed] of [
        ["Prompt", false],
        ["StreamPrompt", true],
      ] as const) {
        const label = `${method}, gRPC (ghz), 1 HTTP/2 connection`;
        const measured = () =>
          measureGhz({
            ...common,
            scenario: "c",
            server: switchboard,
            label,
            method: `switchboard.v1.PromptService.${method}`,
            request: { prompt: BENCH_PROMPT },
            ...(streamed ? { chunksPerCall: UPSTREAM_CHUNKS } : {}),
          });
        await record(`c. switchboard: ${label}`, measured);
      }
    }
  } finally {
    await group.stopAll();
  }
}

/** d, e: many concurrent streams at an LLM's pace; what each gateway adds to them. */
async function liveStreams(scenario: "d" | "e", onValkey: boolean): Promise<void> {
  const group = createServerGroup();
  try {
    const valkey = onValkey ? group.add(await startValkeyServer()) : undefined;
    const upstream = group.add(await startLeanUpstream({ chunks, delayMs }));
    // One stream per upstream connection: pipelining a second one would queue it behind.
    const aiWarp = group.add(
      await startAiWarp({
        upstreamUrl: upstream.url,
        pipelining: 1,
        ...(valkey === undefined ? {} : { valkeyPort: valkey.port }),
      }),
    );
    const switchboard = group.add(
      await startSwitchboard({
        upstreamUrl: upstream.url,
        // As many upstream connections as streams (AI Warp's pool has no cap), within the
        // configuration's limit of 1,000.
        upstreamConnections: Math.min(1_000, Math.max(UPSTREAM_CONNECTIONS, streams)),
        callsPerClient: Math.max(1_000, 2 * streams),
        ...(valkey === undefined ? {} : { valkeyUrl: valkey.url }),
      }),
    );
    const where = onValkey ? ", on Valkey" : "";
    for (const [gateway, server, kind, call] of [
      ["ai-warp", aiWarp, "ai-warp-stream", "/api/v1/stream, SSE"],
      ["switchboard", switchboard, "switchboard-stream", "StreamPrompt, Connect JSON"],
    ] as const) {
      const label = `${call}, ${streams} streams${where}`;
      const measured = () =>
        measureHttp({
          scenario,
          gateway,
          server,
          label,
          kind,
          prompt: BENCH_PROMPT,
          concurrency: streams,
          warmupMs,
          durationMs,
          chunksPerCall: chunks,
          idealMs,
        });
      await record(`${scenario}. ${gateway}: ${label}`, measured);
    }
  } finally {
    await group.stopAll();
  }
}

if (only.has("a") || only.has("b") || only.has("c")) await zeroLatencyScenarios();
if (only.has("d")) await liveStreams("d", false);
if (only.has("e")) await liveStreams("e", true);

const ratios = ratiosOf(measurements);
console.log("");
console.log(formatSideBySide(measurements, ratios));
console.log(
  [
    "  calls/s: successful calls started in the window (d, e: streams); p50/p99: client side;",
    `  d, e: p50/p99 are what the gateway added over the ideal ${idealMs} ms (chunks × delay)`,
    "  gw cores, gw ms/call, gw µs/chunk: gateway CPU (utime + stime, /proc) per successful call",
    "  and per relayed upstream chunk; the figures least moved by other load on the machine",
    "  RSS: the gateway process after its load; SB÷AW: Switchboard ÷ AI Warp (calls/s above 1",
    "  and CPU/call below 1 favour Switchboard)",
    "  c: ghz ends its run by closing its connection: its errors are the calls in flight then",
    '  (Canceled, or Unavailable "transport is closing"), not failures of the gateway',
  ].join("\n"),
);
for (const ratio of ratios) {
  if (ratio.addedP99 !== undefined) {
    console.log(
      `  ${ratio.scenario}: added p99, Switchboard ÷ AI Warp: ${ratio.addedP99.toFixed(2)}`,
    );
  }
}
const errorLines = measurements.flatMap((row) =>
  Object.entries(row.errors).map(
    ([code, count]) =>
      `  ${row.scenario}. ${row.gateway}: ${code} × ${count}${row.errorMessages[code] ? `: ${row.errorMessages[code]}` : ""}`,
  ),
);
console.log(`errors:${errorLines.length === 0 ? " none" : `\n${errorLines.join("\n")}`}`);
console.log("");
console.log(
  JSON.stringify({
    type: "switchboard-side-by-side",
    machine: { ...machine, busyCoresBeforeRun },
    settings,
    measurements,
    ratios,
  }),
);
