import { afterEach, describe, expect, it } from "vitest";
import { type AttackTarget, attackConfig, startAttackTarget } from "./attack-target.js";
import { describeHealth, expectStillServing } from "./expect-still-serving.js";
import { startHealthPollerProcess } from "./health-poller-process.js";
import { holdIdleConnections } from "./idle-connections.js";
import {
  IDLE_SLACK_MS,
  IDLE_TIMEOUT_MS,
  idleConnectionsLimits,
  IDLE_MAX_PER_CLIENT as MAX_PER_CLIENT,
} from "./probe-settings.js";
import { promptHi } from "./well-behaved-client.js";

/** A connection over the limit must be gone well before any idle timeout could explain it. */
const AT_ONCE_MS = IDLE_TIMEOUT_MS / 2;

describe("2,000 idle connections from one client", () => {
  let target: AttackTarget | undefined;
  afterEach(() => target?.stop());

  for (const sendPreface of [false, true]) {
    const what = sendPreface
      ? "that send the HTTP/2 preface and then nothing"
      : "that send nothing";
    it(`closes connections over maxConnectionsPerClient at once and the rest after idleTimeout, for connections ${what}, while serving others`, async () => {
      target = await startAttackTarget(attackConfig(idleConnectionsLimits));
      const health = await startHealthPollerProcess(target.url);
      const held = holdIdleConnections({
        port: target.port,
        localAddress: "127.0.0.2",
        count: 2_000,
        sendPreface,
        batchSize: 100,
        waitMs: IDLE_TIMEOUT_MS + IDLE_SLACK_MS,
      });
      // The good client is served while the attacker holds its connections.
      const during = await promptHi(target.url);
      const connections = await held;
      const report = await health.stop();
      const lifetimes = connections.map((c) => c.lifetimeMs);
      const closedAtOnce = lifetimes.filter((ms) => ms !== undefined && ms < AT_ONCE_MS).length;
      const stillOpen = lifetimes.filter((ms) => ms === undefined).length;
      const lived = lifetimes.filter((ms) => ms === undefined || ms >= AT_ONCE_MS).length;
      const longest = Math.max(...lifetimes.map((ms) => ms ?? Number.POSITIVE_INFINITY));
      const summary =
        `${closedAtOnce} closed within ${AT_ONCE_MS} ms, ${stillOpen} still open after ` +
        `${IDLE_TIMEOUT_MS + IDLE_SLACK_MS} ms, longest ${longest.toFixed(0)} ms, ` +
        `${connections.filter((c) => c.connectedAtMs === undefined).length} never connected`;
      console.info(`idle connections (${what}): ${summary}\n${describeHealth(report)}`);

      expect(during.status, `Prompt during the attack: ${during.error ?? during.body}`).toBe(200);
      await expectStillServing(target);
      expect(report.failures, describeHealth(report)).toEqual([]);
      // Exactly the connections within the limit are kept, until they have been idle too long.
      expect(closedAtOnce, summary).toBe(2_000 - MAX_PER_CLIENT);
      expect(lived, summary).toBe(MAX_PER_CLIENT);
      expect(stillOpen, summary).toBe(0);
      expect(longest, summary).toBeLessThanOrEqual(IDLE_TIMEOUT_MS + IDLE_SLACK_MS);
    }, 45_000);
  }
});
