import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** A gateway running as its own process through the CLI, as in production. */
export interface GatewayProcess {
  readonly url: string;
  readonly pid: number;
  /** Every log line so far, parsed. */
  readonly logs: readonly Record<string, unknown>[];
  /** Sends `signal` and resolves with the exit code (or signal) once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

/**
 * Writes `config` (the configuration FILE format) to a temporary JSON file and runs
 * `switchboard serve --config` on it; resolves once the "gateway started" line is logged.
 */
export async function startGatewayProcess(
  config: Record<string, unknown>,
): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-gateway-"));
  const configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify(config));
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "serve", "--config", configPath],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env } },
  );
  const logs: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, "exit").then(([code, signal]) => {
    rmSync(dir, { recursive: true, force: true });
    return (code ?? signal) as number | NodeJS.Signals | null;
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === "gateway started") resolve(String(entry.url));
    });
    void exited.then((code) =>
      reject(new Error(`gateway exited (${code}) before it started: ${stderr}`)),
    );
  });
  return {
    url,
    pid: child.pid!,
    logs,
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
