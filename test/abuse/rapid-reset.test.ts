import { afterEach, describe, expect, it } from "vitest";
import {
  type AttackTarget,
  attackConfig,
  attackerAddresses,
  isWarnOrWorse,
  startAttackTarget,
} from "./attack-target.js";
import { runInAttackerProcess } from "./attacker-process.js";
import { describeHealth, expectStillServing } from "./expect-still-serving.js";
import { H2ErrorCode } from "./h2-frames.js";
import { startHealthPollerProcess } from "./health-poller-process.js";
import { rapidResetLimits } from "./probe-settings.js";

const ATTACK_MS = 10_000;

describe("HTTP/2 rapid reset (CVE-2023-44487)", () => {
  let target: AttackTarget | undefined;
  afterEach(() => target?.stop());

  it("keeps /healthz under 1 s through 10 s of rapid resets from 200 connections, calms them with GOAWAY ENHANCE_YOUR_CALM and logs the resets in aggregate", async () => {
    target = await startAttackTarget(attackConfig(rapidResetLimits));
    const linesBefore = target.stdoutLineCount();
    const logsBefore = target.logs.length;
    const health = await startHealthPollerProcess(target.url);
    const attack = await runInAttackerProcess("rapidReset", {
      port: target.port,
      sourceAddresses: attackerAddresses(10),
      connections: 200,
      durationMs: ATTACK_MS,
    });
    const report = await health.stop();
    console.info(`rapid reset: ${JSON.stringify(attack)}\n${describeHealth(report)}`);

    await expectStillServing(target);
    // Soft: each property is reported even when another one fails.
    expect.soft(report.failures, describeHealth(report)).toEqual([]);
    expect.soft(report.maxMs, describeHealth(report)).toBeLessThanOrEqual(1_000);
    expect
      .soft(
        attack.goAwaysByCode[H2ErrorCode.ENHANCE_YOUR_CALM] ?? 0,
        `GOAWAY error codes received: ${JSON.stringify(attack.goAwaysByCode)}`,
      )
      .toBeGreaterThan(0);
    // The resets are summed up in a warn line (written periodically), not logged one by one.
    const resetWarning = await target.waitForLog(
      (entry) => isWarnOrWorse(entry) && /reset/i.test(JSON.stringify(entry)),
      12_000,
      logsBefore,
    );
    const linesLogged = target.stdoutLineCount() - linesBefore;
    expect.soft(resetWarning, "a warn line about the resets").toBeDefined();
    expect
      .soft(linesLogged, `${linesLogged} log lines for ${attack.resetsSent} resets`)
      .toBeLessThan(attack.resetsSent / 100);
  }, 60_000);
});
