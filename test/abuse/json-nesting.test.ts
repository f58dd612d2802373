import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AttackTarget, attackConfig, startAttackTarget } from "./attack-target.js";
import { expectStillServing } from "./expect-still-serving.js";
import { nestedJsonBodies } from "./json-nesting.js";
import { jsonNestingLimits } from "./probe-settings.js";
import { plainRequest } from "./well-behaved-client.js";

describe("deeply nested JSON", () => {
  let target: AttackTarget;
  beforeAll(async () => {
    target = await startAttackTarget(attackConfig(jsonNestingLimits));
  }, 30_000);
  afterAll(() => target?.stop());

  it.each(nestedJsonBodies)(
    "answers 100,000 levels of $name with invalid_argument and keeps running",
    async ({ path, contentType, body }) => {
      const response = await plainRequest(target.url, {
        method: "POST",
        path,
        headers: { "content-type": contentType },
        body,
      });
      expect(response.status, response.error ?? response.body.slice(0, 300)).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ code: "invalid_argument" });
      await expectStillServing(target);
    },
    20_000,
  );
});
