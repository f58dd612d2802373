import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { asRunningServer, type RunningServer, spawnBenchChild } from "./bench-child.js";

/** Options of `startAiWarp`. */
export interface AiWarpOptions {
  /** The lean upstream, e.g. "http://127.0.0.1:40123". */
  readonly upstreamUrl: string;
  /** Requests per upstream connection at once: 2 is the engine's default, 1 suits long streams. */
  readonly pipelining: number;
  /** Store history and streams on the Valkey at this port of 127.0.0.1; in memory without. */
  readonly valkeyPort?: number;
}

/** Where scripts/install-bench-peers.sh installs the engine. */
export const BENCH_PEERS_DIR = fileURLToPath(new URL("../../.tools/bench-peers/", import.meta.url));
const launcherPath = fileURLToPath(new URL("./aiwarp-launcher.ts", import.meta.url));

/**
 * Starts AI Warp's engine (`aiwarp-launcher.ts`) in its own process, with the peers folder as
 * working directory so that its packages resolve, and resolves once it listens. Throws when the
 * peers are not installed.
 */
export function startAiWarp(options: AiWarpOptions): Promise<RunningServer> {
  if (!existsSync(`${BENCH_PEERS_DIR}node_modules/@platformatic/fastify-ai`)) {
    throw new Error("AI Warp's engine is not installed: run scripts/install-bench-peers.sh");
  }
  const args = [launcherPath, "--upstream", options.upstreamUrl];
  args.push("--pipelining", String(options.pipelining));
  if (options.valkeyPort !== undefined) args.push("--valkey-port", String(options.valkeyPort));
  const child = spawnBenchChild({
    name: "ai-warp",
    command: process.execPath,
    args,
    cwd: BENCH_PEERS_DIR,
  });
  return asRunningServer(child);
}
