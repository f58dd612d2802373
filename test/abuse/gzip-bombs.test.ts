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
import { gzipBombsLimits, GZIP_BOMB_INFLATED_BYTES as INFLATED_BYTES } from "./probe-settings.js";

describe("gzip bombs", () => {
  let target: AttackTarget | undefined;
  afterEach(() => target?.stop());

  it("answers each of 2,000 concurrent Connect calls whose 8 KB gzip body inflates to 8 MiB with resource_exhausted or invalid_argument, staying under 1 GiB", async () => {
    target = await startAttackTarget(attackConfig(gzipBombsLimits));
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
    target = await startAttackTarget(attackConfig(gzipBombsLimits));
    const statuses = await grpcGzipBombs({
      port: target.port,
      streams: 5,
      inflatedBytes: INFLATED_BYTES,
    });

    await expectStillServing(target);
    expect(statuses).toEqual(["8", "8", "8", "8", "8"]);
  }, 45_000);
});
