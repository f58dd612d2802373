import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AttackTarget, attackConfig, startAttackTarget } from "./attack-target.js";
import { expectStillServing } from "./expect-still-serving.js";
import { plainRequest } from "./well-behaved-client.js";

const DEPTH = 100_000;

/** Connect JSON bodies nested 100,000 levels deep (600 KB at most: under maxMessageBytes). */
const bodies: { name: string; path: string; contentType: string; body: string }[] = [
  {
    name: "objects in a map field",
    path: "/switchboard.v1.PromptService/Prompt",
    contentType: "application/json",
    body: `{"prompt":"hi","metadata":${'{"a":'.repeat(DEPTH)}"x"${"}".repeat(DEPTH)}}`,
  },
  {
    name: "arrays in a repeated field",
    path: "/switchboard.v1.PromptService/Prompt",
    contentType: "application/json",
    body: `{"prompt":"hi","options":{"stop":${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}}}`,
  },
  {
    name: "arrays as the whole message",
    path: "/switchboard.v1.PromptService/Prompt",
    contentType: "application/json",
    body: `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`,
  },
];

describe("deeply nested JSON", () => {
  let target: AttackTarget;
  beforeAll(async () => {
    target = await startAttackTarget(attackConfig({ maxMessageBytes: 4 * 1024 * 1024 }));
  }, 30_000);
  afterAll(() => target?.stop());

  it.each(bodies)(
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
