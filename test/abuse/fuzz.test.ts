import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AttackTarget, attackConfig, startAttackTarget } from "./attack-target.js";
import { expectStillServing } from "./expect-still-serving.js";
import { type FuzzRunResult, runFuzz } from "./fuzz-run.js";

/** Set FUZZ_SEED to replay a run; each run otherwise picks (and prints) a new seed. */
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;

describe("fuzzing the Connect, gRPC and gRPC-Web decoders", () => {
  let target: AttackTarget;
  beforeAll(async () => {
    target = await startAttackTarget(attackConfig({ maxMessageBytes: 4 * 1024 * 1024 }));
  }, 30_000);
  afterAll(() => target?.stop());

  it("answers 10,000 mutated requests each with a well-formed error or response of its protocol, never internal or unknown", async () => {
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

/** The problems grouped by protocol and message, with one example case each. */
function describeProblems(result: FuzzRunResult): string {
  const groups = new Map<string, { count: number; example: (typeof result.problems)[number] }>();
  for (const problem of result.problems) {
    const key = `${problem.protocol}: ${problem.problem.replace(/\d+/g, "N").slice(0, 120)}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { count: 1, example: problem });
  }
  const lines = [...groups].map(
    ([key, { count, example }]) =>
      `  ${count}× ${key}\n    e.g. case ${example.index} (${example.transport} ${example.path}): ${example.mutations.join("; ")}`,
  );
  return `seed ${result.seed}: ${result.problemCount} of ${result.cases} responses were not well-formed or were internal/unknown (first ${result.problems.length} grouped):\n${lines.join("\n")}`;
}
