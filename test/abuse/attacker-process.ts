import { fork } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { REPO_DIR } from "./attack-target.js";
import type { AttackName, Attacks } from "./attacks.js";
import { within } from "./within.js";

/**
 * Runs attack `name` with `options` in a child process and resolves with its result. The attack
 * gets its own event loop and CPU time, so that its load never delays the well-behaved client
 * in this process, whose latencies would otherwise measure the attacker rather than the gateway.
 * An attack still running after `limitMs` (when given) is killed, and the promise rejects.
 */
export async function runInAttackerProcess<N extends AttackName>(
  name: N,
  options: Parameters<Attacks[N]>[0],
  { limitMs }: { readonly limitMs?: number } = {},
): Promise<Awaited<ReturnType<Attacks[N]>>> {
  const child = fork(join(REPO_DIR, "test/abuse/attacker-entry.ts"), [], {
    cwd: REPO_DIR,
    execArgv: ["--import", "tsx"],
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit");
  const answer = new Promise<Awaited<ReturnType<Attacks[N]>>>((resolve, reject) => {
    child.once("message", (message: { result?: unknown; error?: string }) => {
      if (message.error !== undefined) reject(new Error(`attack ${name} failed: ${message.error}`));
      else resolve(message.result as Awaited<ReturnType<Attacks[N]>>);
    });
    void exited.then(([code]) =>
      reject(new Error(`attacker process exited (${code}) without a result`)),
    );
  });
  child.send({ name, options });
  // Settled once the child is killed below, when nobody waits for it any more.
  answer.catch(() => {});
  try {
    if (limitMs === undefined) return await answer;
    const outcome = await within(answer, limitMs);
    if (typeof outcome === "symbol") {
      throw new Error(`attack ${name} still running after ${limitMs / 1000} s: attacker killed`);
    }
    return outcome;
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
