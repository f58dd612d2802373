/**
 * The gateway under benchmark, run as its own process so that the load generator does not share
 * its event loop: `node --expose-gc --import tsx bench/gateway-process.ts [--max-retained-streams N]`.
 *
 * Protocol on stdout, one JSON object per line:
 * - `{"type":"listening","url":"http://127.0.0.1:PORT","port":PORT,"pid":PID}` once listening;
 * - `{"type":"usage", ...GatewayUsage}` answering SIGUSR2 (after a full GC when the process runs
 *   with `--expose-gc`, so that heap figures hold live objects only) or a `usage` line on stdin
 *   (no GC: cheap enough to sample CPU time during a scenario).
 * SIGTERM, SIGINT or the end of stdin (the benchmark went away) shut the gateway down and exit.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import pino from "pino";
import { CONFIG_DEFAULTS } from "../src/config/config-defaults.js";
import type { GatewayConfig } from "../src/config/gateway-config.js";
import { startGateway } from "../src/gateway.js";
import type { GatewayUsage } from "./gateway-usage.js";

/** Production defaults, except: demo provider without delay, a free port, no logging. */
function benchConfig(maxRetainedStreams: number): GatewayConfig {
  return {
    server: { ...CONFIG_DEFAULTS.server, port: 0, tls: undefined, shutdownGraceMs: 2_000 },
    logging: { level: "silent" },
    providers: {
      demo: {
        name: "demo",
        type: "demo",
        baseUrl: "",
        apiKey: undefined,
        headers: {},
        maxConnections: CONFIG_DEFAULTS.provider.maxConnections,
        demoDelayMs: 0,
      },
    },
    models: [
      {
        id: "demo:echo",
        provider: "demo",
        model: "echo",
        limits: { maxTokens: undefined, rate: undefined },
        capabilities: {
          contextWindowTokens: undefined,
          maxOutputTokens: undefined,
          prefill: undefined,
        },
      },
    ],
    retry: CONFIG_DEFAULTS.retry,
    restore: CONFIG_DEFAULTS.restore,
    timeouts: CONFIG_DEFAULTS.timeouts,
    streaming: { ...CONFIG_DEFAULTS.streaming, maxRetainedStreams },
    sessions: CONFIG_DEFAULTS.sessions,
    storage: { type: "memory" },
  };
}

function usage(collectGarbage: boolean): GatewayUsage {
  const gc: unknown = Reflect.get(globalThis, "gc");
  const collected = collectGarbage && typeof gc === "function";
  if (collected) gc();
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    arrayBuffersBytes: memory.arrayBuffers,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    collected,
  };
}

function send(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const { values } = parseArgs({
  options: { "max-retained-streams": { type: "string", default: "1000" } },
});
const maxRetainedStreams = Number(values["max-retained-streams"]);
if (!Number.isInteger(maxRetainedStreams) || maxRetainedStreams < 1) {
  throw new Error("--max-retained-streams must be a positive integer");
}

const log = pino({ level: "silent" });
const gateway = await startGateway({ config: benchConfig(maxRetainedStreams), log });

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await gateway.shutdown();
  process.exit(0);
}

process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("SIGUSR2", () => send({ type: "usage", ...usage(true) }));
const commands = createInterface({ input: process.stdin });
commands.on("line", (line) => {
  if (line.trim() === "usage") send({ type: "usage", ...usage(false) });
});
commands.on("close", stop);

send({ type: "listening", url: gateway.url, port: gateway.port, pid: process.pid });
