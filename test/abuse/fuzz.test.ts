import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AttackTarget, attackConfig, startAttackTarget } from "./attack-target.js";
import { expectStillServing } from "./expect-still-serving.js";
import { describeProblems, runFuzz } from "./fuzz-run.js";
import { fuzzLimits } from "./probe-settings.js";

/** Set FUZZ_SEED to replay a run; each run otherwise picks (and prints) a new seed. */
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;

describe("fuzzing the Connect, gRPC and gRPC-Web decoders", () => {
  let target: AttackTarget;
  beforeAll(async () => {
    target = await startAttackTarget(attackConfig(fuzzLimits));
  }, 30_000);
  afterAll(() => target?.stop());

  it("answers 10,000 mutated requests each with a well-formed error or response of its protocol, never unknown, and internal only where the gRPC spec requires it", async () => {
    console.info(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    const result = await runFuzz({
      url: target.url,
      seed,
      cases: 10_000,
      concurrency: 48,
      h1Connections: 4,
      h2Connections: 2,
      timeoutMs: 10_000,
    });
    console.info(`fuzz outcomes: ${JSON.stringify(result.outcomes)}`);

    await expectStillServing(target);
    expect(result.problemCount, describeProblems(result)).toBe(0);
  }, 60_000);
});
