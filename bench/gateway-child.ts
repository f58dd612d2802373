import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type GatewayUsage, parseGatewayUsage } from "./gateway-usage.js";

/** Options of `spawnGateway`. */
export interface SpawnGatewayOptions {
  /** The memory stream store's cap (`streaming.maxRetainedStreams`). */
  readonly maxRetainedStreams: number;
  /** Longest wait for the gateway to listen, in milliseconds. Default 20 000. */
  readonly startTimeoutMs?: number;
}

/** A gateway running in a child process (`bench/gateway-process.ts`). */
export interface GatewayChild {
  /** e.g. "http://127.0.0.1:40123". */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Memory and CPU time without a GC: cheap, for sampling during a scenario. */
  usage(): Promise<GatewayUsage>;
  /** Memory after a full GC (SIGUSR2), so that the heap holds live objects only. */
  memory(): Promise<GatewayUsage>;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
}

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const gatewayProcessPath = fileURLToPath(new URL("./gateway-process.ts", import.meta.url));

/**
 * Starts `bench/gateway-process.ts` with `--expose-gc` and resolves once it prints its URL.
 * Its stderr goes to ours, so that a crash is visible. Throws when it exits or stays silent
 * before listening.
 */
export async function spawnGateway(options: SpawnGatewayOptions): Promise<GatewayChild> {
  const child = spawn(
    process.execPath,
    [
      "--expose-gc",
      "--import",
      "tsx",
      gatewayProcessPath,
      "--max-retained-streams",
      String(options.maxRetainedStreams),
    ],
    { cwd: projectRoot, stdio: ["pipe", "pipe", "inherit"] },
  );
  const exited = once(child, "exit");
  const lines = createInterface({ input: child.stdout });
  // Usage requests are answered in order: each waiter takes the next usage line.
  const waiters: { resolve(usage: GatewayUsage): void; reject(error: Error): void }[] = [];
  let listening: ((address: { url: string; port: number }) => void) | undefined;
  const address = new Promise<{ url: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("the gateway process did not start listening in time"));
    }, options.startTimeoutMs ?? 20_000);
    listening = (value) => {
      clearTimeout(timer);
      resolve(value);
    };
    exited.then(([code, signal]) => {
      clearTimeout(timer);
      const error = new Error(`the gateway process exited (code ${code}, signal ${signal})`);
      reject(error);
      for (const waiter of waiters.splice(0)) waiter.reject(error);
    });
  });

  lines.on("line", (line) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return;
    }
    const usage = parseGatewayUsage(value);
    if (usage !== undefined) {
      waiters.shift()?.resolve(usage);
      return;
    }
    if (typeof value === "object" && value !== null) {
      const { type, url, port } = value as Record<string, unknown>;
      if (type === "listening" && typeof url === "string" && typeof port === "number") {
        listening?.({ url, port });
      }
    }
  });

  function request(send: () => void): Promise<GatewayUsage> {
    if (child.exitCode !== null || child.signalCode !== null) {
      return Promise.reject(new Error("the gateway process has exited"));
    }
    return new Promise((resolve, reject) => {
      waiters.push({ resolve, reject });
      send();
    });
  }

  const { url, port } = await address;
  return {
    url,
    port,
    pid: child.pid ?? 0,
    usage: () => request(() => child.stdin.write("usage\n")),
    memory: () => request(() => child.kill("SIGUSR2")),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
