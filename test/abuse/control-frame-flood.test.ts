import { afterEach, describe, expect, it } from "vitest";
import { type AttackTarget, attackConfig, startAttackTarget } from "./attack-target.js";
import { controlFrameFlood } from "./control-frame-flood.js";
import { describeHealth, expectStillServing } from "./expect-still-serving.js";
import { startHealthPollerProcess } from "./health-poller-process.js";
import { controlFrameFloodLimits } from "./probe-settings.js";

describe("HTTP/2 control frame floods (CVE-2019-9512, CVE-2019-9515)", () => {
  let target: AttackTarget | undefined;
  afterEach(() => target?.stop());

  for (const kind of ["settings", "ping"] as const) {
    it(`closes connections that flood ${kind.toUpperCase()} frames without reading the acknowledgements, and stays healthy`, async () => {
      target = await startAttackTarget(attackConfig(controlFrameFloodLimits));
      const health = await startHealthPollerProcess(target.url);
      const connections = await controlFrameFlood({
        port: target.port,
        localAddress: "127.0.0.2",
        kind,
        connections: 3,
        framesPerWrite: 2_000,
        maxFrames: 100_000,
        closeWithinMs: 5_000,
      });
      const report = await health.stop();
      console.info(`${kind} flood: ${JSON.stringify(connections)}\n${describeHealth(report)}`);

      await expectStillServing(target);
      expect(report.failures, describeHealth(report)).toEqual([]);
      expect(
        connections.map((connection) => connection.closedByServer),
        JSON.stringify(connections),
      ).toEqual([true, true, true]);
    }, 45_000);
  }
});
