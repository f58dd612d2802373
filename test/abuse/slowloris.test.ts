import { afterEach, describe, expect, it } from "vitest";
import {
  type AttackTarget,
  attackConfig,
  attackerAddresses,
  startAttackTarget,
} from "./attack-target.js";
import { describeHealth, expectStillServing } from "./expect-still-serving.js";
import { startHealthPollerProcess } from "./health-poller-process.js";
import {
  SLOWLORIS_BODY_TIMEOUT_MS as BODY_TIMEOUT_MS,
  SLOWLORIS_HEADERS_TIMEOUT_MS as HEADERS_TIMEOUT_MS,
  SLOWLORIS_SLACK_MS as SLACK_MS,
  slowlorisLimits,
} from "./probe-settings.js";
import { slowloris } from "./slowloris.js";

describe("slowloris over HTTP/1.1", () => {
  let target: AttackTarget | undefined;
  afterEach(() => target?.stop());

  const cases = [
    { kind: "headers", timeoutMs: HEADERS_TIMEOUT_MS, what: "a request head one byte per 500 ms" },
    { kind: "body", timeoutMs: BODY_TIMEOUT_MS, what: "a 1,000-byte body one byte per 500 ms" },
  ] as const;
  for (const { kind, timeoutMs, what } of cases) {
    it(`closes 100 connections that send ${what} within ${kind === "headers" ? "headersTimeout" : "requestBodyTimeout"}, answering 408 or nothing`, async () => {
      target = await startAttackTarget(attackConfig(slowlorisLimits));
      const health = await startHealthPollerProcess(target.url);
      const connections = await slowloris({
        port: target.port,
        sourceAddresses: attackerAddresses(4),
        connections: 100,
        kind,
        byteIntervalMs: 500,
        waitMs: timeoutMs + SLACK_MS + 2_000,
      });
      const report = await health.stop();
      const closedAfter = connections.map((c) => c.closedAfterMs ?? Number.POSITIVE_INFINITY);
      const statuses = [...new Set(connections.flatMap((c) => c.statuses))];
      const summary =
        `closed after ${Math.min(...closedAfter).toFixed(0)}–${Math.max(...closedAfter).toFixed(0)} ms, ` +
        `${closedAfter.filter((ms) => ms === Number.POSITIVE_INFINITY).length} still open, ` +
        `statuses ${JSON.stringify(statuses)}, errors ${JSON.stringify(connections.filter((c) => c.error).slice(0, 3))}`;
      console.info(`slowloris ${kind}: ${summary}\n${describeHealth(report)}`);

      await expectStillServing(target);
      expect(report.failures, describeHealth(report)).toEqual([]);
      expect(Math.max(...closedAfter), summary).toBeLessThanOrEqual(timeoutMs + SLACK_MS);
      for (const status of statuses) expect(status, summary).toBe("408");
    }, 45_000);
  }
});
