import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/** Options of `spawnBenchChild`. */
export interface BenchChildOptions {
  /** Names the process in messages, e.g. "ai-warp". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Output lines (other than the listening line) copied to our stderr. Default 20. */
  readonly maxEchoedLines?: number;
}

/** A process of the benchmark: the upstream, a gateway, a load generator's helper. */
export interface BenchChild {
  readonly name: string;
  readonly pid: number;
  /**
   * The port of the first `{"type":"listening","port":PORT}` line the process prints. Rejects
   * when it exits first or stays silent for `timeoutMs` (then it is killed).
   */
  listeningPort(timeoutMs?: number): Promise<number>;
  /** Whether the process has exited (or was killed). */
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 000); resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Every child not yet gone, killed when this process exits, however it exits. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts a process with a pipe as stdin (the children of the benchmark exit when it ends, so
 * they go with the benchmark even when it is killed) and its output read line by line: the
 * listening line is kept, the first other lines are copied to stderr with the name in front,
 * the rest only counted (a failing gateway may log a line per call).
 */
export function spawnBenchChild(options: BenchChildOptions): BenchChild {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  running.add(child);
  const exited = once(child, "exit").then(([code, signal]) => {
    running.delete(child);
    return `code ${code}, signal ${signal}`;
  });
  // Without a listener an exit error would be thrown; `exit` follows and is what we wait on.
  child.on("error", () => {});
  const maxEchoed = options.maxEchoedLines ?? 20;
  const lastLines: string[] = [];
  let echoed = 0;
  let port: ((value: number) => void) | undefined;
  const onLine = (line: string): void => {
    const listening = listeningPortOf(line);
    if (listening !== undefined) {
      port?.(listening);
      return;
    }
    lastLines.push(line);
    if (lastLines.length > 5) lastLines.shift();
    if (echoed++ < maxEchoed) process.stderr.write(`[${options.name}] ${line}\n`);
  };
  createInterface({ input: child.stdout }).on("line", onLine);
  createInterface({ input: child.stderr }).on("line", onLine);
  const listening = new Promise<number>((resolve) => {
    port = resolve;
  });

  return {
    name: options.name,
    pid: child.pid ?? 0,
    async listeningPort(timeoutMs = 20_000) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`${options.name} did not listen within ${timeoutMs} ms`));
        }, timeoutMs);
      });
      const died = exited.then((how): never => {
        throw new Error(`${options.name} exited (${how}): ${lastLines.join(" | ")}`);
      });
      try {
        return await Promise.race([listening, timedOut, died]);
      } finally {
        clearTimeout(timer);
      }
    },
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    async stop(graceMs = 5_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      if (echoed > maxEchoed) {
        process.stderr.write(`[${options.name}] ${echoed - maxEchoed} more lines not shown\n`);
      }
    },
  };
}

function listeningPortOf(line: string): number | undefined {
  if (!line.startsWith('{"type":"listening"')) return undefined;
  try {
    const { port } = JSON.parse(line) as { port?: unknown };
    return typeof port === "number" ? port : undefined;
  } catch {
    return undefined;
  }
}

/** A server process of the benchmark (the upstream or a gateway), listening on 127.0.0.1. */
export interface RunningServer {
  /** e.g. "http://127.0.0.1:40123". */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the process and waits for it to be gone. */
  stop(): Promise<void>;
}

/** Waits for the child's listening line and wraps it as a server; stops it when that fails. */
export async function asRunningServer(child: BenchChild): Promise<RunningServer> {
  const port = await child.listeningPort().catch(async (error: unknown) => {
    await child.stop();
    throw error;
  });
  return { url: `http://127.0.0.1:${port}`, port, pid: child.pid, stop: () => child.stop() };
}
