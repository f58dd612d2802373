import { expect } from "vitest";
import { type AttackTarget, MAX_RSS_BYTES } from "./attack-target.js";
import type { HealthReport } from "./well-behaved-client.js";
import { promptHi } from "./well-behaved-client.js";

/**
 * Asserts what every probe asserts after its attack: the gateway process is still running, it
 * answers a normal `Prompt` with 200, and its peak RSS stayed under 1 GiB. Soft assertions: the
 * test goes on to report its own findings too, and fails at its end.
 */
export async function expectStillServing(target: AttackTarget): Promise<void> {
  expect
    .soft(
      target.exited(),
      `the gateway exited (${target.exitStatus()}); stderr: ${target.stderr().slice(-2000)}`,
    )
    .toBe(false);
  const prompt = await promptHi(target.url);
  expect.soft(prompt.status, `Prompt after the attack: ${prompt.error ?? prompt.body}`).toBe(200);
  expect
    .soft(target.peakRssBytes(), `peak RSS ${(target.peakRssBytes() / 1024 ** 2).toFixed(0)} MiB`)
    .toBeLessThan(MAX_RSS_BYTES);
}

/** One line for the test output: what the well-behaved client saw during the attack. */
export function describeHealth(report: HealthReport): string {
  return (
    `/healthz during the attack: ${report.samples} polls, p50 ${report.p50Ms.toFixed(0)} ms, ` +
    `p99 ${report.p99Ms.toFixed(0)} ms, max ${report.maxMs.toFixed(0)} ms, ` +
    `${report.failures.length} failed${report.failures.length ? ` (${report.failures.slice(0, 3).join("; ")})` : ""}`
  );
}
