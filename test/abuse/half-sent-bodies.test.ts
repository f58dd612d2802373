import { afterEach, describe, expect, it } from "vitest";
import {
  type AttackTarget,
  attackConfig,
  attackerAddresses,
  startAttackTarget,
} from "./attack-target.js";
import { describeHealth, expectStillServing } from "./expect-still-serving.js";
import { halfSentBodies } from "./half-sent-bodies.js";
import { startHealthPollerProcess } from "./health-poller-process.js";
import {
  HALF_SENT_BODY_TIMEOUT_MS as BODY_TIMEOUT_MS,
  halfSentBodiesLimits,
  HALF_SENT_SLACK_MS as SLACK_MS,
} from "./probe-settings.js";

describe("half-sent HTTP/2 request bodies", () => {
  let target: AttackTarget | undefined;
  afterEach(() => target?.stop());

  it("resets or answers each of 1,000 streams that stop halfway through their gRPC envelope within requestBodyTimeout", async () => {
    target = await startAttackTarget(attackConfig(halfSentBodiesLimits));
    const health = await startHealthPollerProcess(target.url);
    const result = await halfSentBodies({
      port: target.port,
      sourceAddresses: attackerAddresses(2),
      connections: 10,
      streamsPerConnection: 100,
      waitMs: BODY_TIMEOUT_MS + SLACK_MS + 2_000,
    });
    const report = await health.stop();
    console.info(`half-sent bodies: ${JSON.stringify(result)}\n${describeHealth(report)}`);

    await expectStillServing(target);
    expect(report.failures, describeHealth(report)).toEqual([]);
    expect(result.stillOpen, JSON.stringify(result)).toBe(0);
    expect(result.slowestEndMs, JSON.stringify(result)).toBeLessThanOrEqual(
      BODY_TIMEOUT_MS + SLACK_MS,
    );
    // A stream ends by its own reset or answer, not by the loss of its whole connection.
    expect(result.endedWithConnection, JSON.stringify(result)).toBe(0);
  }, 45_000);
});
