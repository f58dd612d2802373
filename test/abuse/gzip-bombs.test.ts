import { afterEach, describe, expect, it } from "vitest";
import {
  type AttackTarget,
  attackConfig,
  attackerAddresses,
  startAttackTarget,
} from "./attack-target.js";
import { runInAttackerProcess } from "./attacker-process.js";
import { describeHealth, expectStillServing } from "./expect-still-serving.js";
import { grpcGzipBombs } from "./gzip-bombs.js";
import { startHealthPollerProcess } from "./health-poller-process.js";

/** Each bomb inflates to 8 MiB: twice maxMessageBytes, 1,000 times its ~8 KB of gzip. */
const INFLATED_BYTES = 8 * 1024 * 1024;

const limits = {
  maxMessageBytes: 4 * 1024 * 1024,
  maxDecompressingBytes: 64 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxConnectionsPerClient: 1_000,
  maxConcurrentCallsPerClient: 1_000,
  maxConcurrentGenerations: 2_000,
  idleTimeout: "30s",
};

describe("gzip bombs", () => {
  let target: AttackTarget | undefined;
  afterEach(() => target?.stop());

  it("answers each of 2,000 concurrent Connect calls whose 8 KB gzip body inflates to 8 MiB with resource_exhausted or invalid_argument, staying under 1 GiB", async () => {
    target = await startAttackTarget(attackConfig(limits));
    const health = await startHealthPollerProcess(target.url);
    const result = await runInAttackerProcess("gzipBombs", {
      port: target.port,
      // 500 connections per address: within maxConnectionsPerClient and maxConcurrentCallsPerClient.
      sourceAddresses: attackerAddresses(4),
      requests: 2_000,
      inflatedBytes: INFLATED_BYTES,
      timeoutMs: 30_000,
    });
    const report = await health.stop();
    const summary = `${JSON.stringify(result)}, peak RSS ${(target.peakRssBytes() / 1024 ** 2).toFixed(0)} MiB`;
    console.info(`gzip bombs: ${summary}\n${describeHealth(report)}`);

    await expectStillServing(target);
    expect(result.unanswered, summary).toEqual({});
    const answered = Object.values(result.answers).reduce((a, b) => a + b, 0);
    expect(answered, summary).toBe(2_000);
    for (const answer of Object.keys(result.answers)) {
      expect(["429 resource_exhausted", "400 invalid_argument"], summary).toContain(answer);
    }
  }, 90_000);

  it("answers gRPC calls whose gzip-compressed envelope inflates to 8 MiB with RESOURCE_EXHAUSTED", async () => {
    target = await startAttackTarget(attackConfig(limits));
    const statuses = await grpcGzipBombs({
      port: target.port,
      streams: 5,
      inflatedBytes: INFLATED_BYTES,
    });

    await expectStillServing(target);
    expect(statuses).toEqual(["8", "8", "8", "8", "8"]);
  }, 45_000);
});
