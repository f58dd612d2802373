import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AttackTarget, attackConfig, startAttackTarget } from "./attack-target.js";
import { expectStillServing } from "./expect-still-serving.js";
import { requestSmugglingLimits } from "./probe-settings.js";
import { exchangeRaw } from "./raw-http1.js";
import { SMUGGLED, smugglingVariants } from "./request-smuggling.js";

describe("HTTP/1.1 request smuggling", () => {
  let target: AttackTarget;
  beforeAll(async () => {
    target = await startAttackTarget(attackConfig(requestSmugglingLimits));
  }, 30_000);
  afterAll(() => target?.stop());

  it.each(smugglingVariants)(
    "answers $name with 400 and a closed connection, never answering the request smuggled after it",
    async ({ request }) => {
      const exchange = await exchangeRaw(target.port, request + SMUGGLED, { waitMs: 5_000 });
      const seen = `statuses ${JSON.stringify(exchange.statuses)}, closed ${exchange.closedByServer}: ${JSON.stringify(exchange.received.slice(0, 300))}`;
      expect(exchange.statuses.length, seen).toBeLessThanOrEqual(1);
      expect(
        exchange.statuses.every((status) => status === 400),
        seen,
      ).toBe(true);
      expect(exchange.closedByServer, seen).toBe(true);
      await expectStillServing(target);
    },
    20_000,
  );
});
