import { fork } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { REPO_DIR } from "./attack-target.js";
import type { HealthReport } from "./well-behaved-client.js";

/**
 * `startHealthPoller` in a child process of its own: its latencies then measure the gateway
 * alone, not this process's event loop (busy reading the gateway's log, or attacking).
 * Resolves once polling has started. `stop` waits for the poll in progress, at most
 * `giveUpAfterMs` when given.
 */
export async function startHealthPollerProcess(
  url: string,
  intervalMs = 100,
): Promise<{ stop(giveUpAfterMs?: number): Promise<HealthReport> }> {
  const child = fork(join(REPO_DIR, "test/abuse/health-poller-entry.ts"), [], {
    cwd: REPO_DIR,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit");
  const next = <T>(): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      child.once("message", (message) => resolve(message as T));
      void exited.then(([code]) => reject(new Error(`health poller exited (${code})`)));
    });
  const started = next<string>();
  child.send({ url, intervalMs });
  await started;
  return {
    async stop(giveUpAfterMs?: number) {
      const report = next<HealthReport>();
      child.send({ giveUpAfterMs });
      try {
        return await report;
      } finally {
        if (child.exitCode === null) child.kill();
      }
    },
  };
}
