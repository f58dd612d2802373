import { fileURLToPath } from "node:url";
import { asRunningServer, type RunningServer, spawnBenchChild } from "./bench-child.js";

/** Options of `startLeanUpstream`. */
export interface LeanUpstreamOptions {
  /** Words in every answer, one streamed chunk each. */
  readonly chunks: number;
  /** Pause after each streamed chunk, in milliseconds; 0 streams them at once. */
  readonly delayMs: number;
}

const upstreamPath = fileURLToPath(new URL("./lean-upstream.ts", import.meta.url));

/**
 * Starts `lean-upstream.ts` in its own process (plain Node, which strips its types: no loader
 * in the way) and resolves once it listens.
 */
export function startLeanUpstream(options: LeanUpstreamOptions): Promise<RunningServer> {
  const args = [upstreamPath, "--chunks", String(options.chunks)];
  args.push("--delay-ms", String(options.delayMs));
  return asRunningServer(spawnBenchChild({ name: "upstream", command: process.execPath, args }));
}
