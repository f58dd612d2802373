import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { freePort } from "../../test/support/valkey-server.js";
import { type RunningServer, spawnBenchChild } from "./bench-child.js";

/** Options of `startSwitchboard`. */
export interface SwitchboardOptions {
  /** The lean upstream, e.g. "http://127.0.0.1:40123". */
  readonly upstreamUrl: string;
  /** `maxConnections` of the upstream provider: keep-alive connections to it. */
  readonly upstreamConnections: number;
  /**
   * Calls one client address may have in flight and connections it may hold (the server's
   * per-client limits, and the process-wide generation limit): the load comes from one address.
   */
  readonly callsPerClient: number;
  /** Store sessions and streams on this Valkey; in memory without. */
  readonly valkeyUrl?: string;
}

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
const cliPath = join(projectRoot, "dist/src/cli/main.js");
/** The heap flags of `npm start` and the Dockerfile. */
const NODE_FLAGS = ["--max-semi-space-size=8", "--heap-growing-percent=50"];

/**
 * Builds `dist/` (`npm run build`) when it is missing or older than a file of `src/` or `gen/`,
 * so that the gateway measured is the code checked out.
 */
export function ensureBuilt(): void {
  const builtMs = existsSync(cliPath) ? statSync(cliPath).mtimeMs : 0;
  const sourcesMs = Math.max(
    newestMtimeMs(join(projectRoot, "src")),
    newestMtimeMs(join(projectRoot, "gen")),
  );
  if (builtMs >= sourcesMs) return;
  process.stderr.write("building dist/ (npm run build) …\n");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: projectRoot, stdio: "inherit" });
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** The configuration file: one openai-compatible provider at the lean upstream. */
function configFile(port: number, options: SwitchboardOptions): string {
  return stringify({
    server: {
      host: "127.0.0.1",
      port,
      shutdownGracePeriod: "2s",
      limits: {
        // ghz multiplexes its calls on one HTTP/2 connection.
        maxConcurrentStreams: 1_000,
        maxConnectionsPerClient: options.callsPerClient,
        maxConcurrentCallsPerClient: options.callsPerClient,
        maxConcurrentGenerations: options.callsPerClient,
      },
    },
    logging: { level: "warn" },
    providers: {
      bench: {
        type: "openai-compatible",
        baseUrl: `${options.upstreamUrl}/v1`,
        apiKey: "sk-fake",
        maxConnections: options.upstreamConnections,
      },
    },
    models: ["bench:gpt-4o-mini"],
    storage:
      options.valkeyUrl === undefined
        ? { type: "memory" }
        : { type: "valkey", url: options.valkeyUrl, keyPrefix: "bench:" },
  });
}

/**
 * Starts Switchboard as users start it (`node <heap flags> dist/src/cli/main.js serve --config
 * FILE`) on a free port, and resolves once `GET /healthz` answers 200. Call `ensureBuilt` first.
 * Throws when the process exits or stays unready for 20 s.
 */
export async function startSwitchboard(options: SwitchboardOptions): Promise<RunningServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "switchboard-side-by-side-"));
  const configPath = join(dir, "config.yaml");
  writeFileSync(configPath, configFile(port, options));
  const child = spawnBenchChild({
    name: "switchboard",
    command: process.execPath,
    args: [...NODE_FLAGS, cliPath, "serve", "--config", configPath],
    cwd: projectRoot,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilHealthy(url, () => child.hasExited());
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, pid: child.pid, stop };
}

/** Its logging level is warn: no "gateway started" line to wait for, so ask `/healthz`. */
async function untilHealthy(url: string, exited: () => boolean): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (performance.now() < deadline) {
    if (exited()) throw new Error("switchboard exited before it was ready (see its lines above)");
    const healthy = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    await sleep(100);
  }
  throw new Error("switchboard was not ready within 20 s");
}
