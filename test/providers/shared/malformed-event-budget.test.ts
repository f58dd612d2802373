import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../src/providers/provider-error.js";
import { createMalformedEventBudget } from "../../../src/providers/stream/malformed-event-budget.js";
import { capturingLogger } from "./capturing-logger.js";

describe("createMalformedEventBudget", () => {
  it("logs each skipped event at warn with the running count, and its data only at debug", () => {
    const { log, lines } = capturingLogger();
    const budget = createMalformedEventBudget({ providerName: "p", log, noun: "event" });
    budget.skip({ data: "not json" });
    budget.skip({ data: "x".repeat(600) });
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings.map((line) => [line.malformedEvents, line.msg])).toEqual([
      [1, "skipped a malformed upstream stream event"],
      [2, "skipped a malformed upstream stream event"],
    ]);
    expect(warnings.every((line) => line.data === undefined)).toBe(true);
    const debug = lines.filter((line) => line.level === 20);
    expect(debug.map((line) => line.msg)).toEqual(["malformed event data", "malformed event data"]);
    expect(debug[0]?.data).toBe("not json");
    expect(debug[1]?.data).toBe(`${"x".repeat(500)}…`);
  });

  it("names chunks as chunks, in the count field, the messages and the error", () => {
    const { log, lines } = capturingLogger();
    const budget = createMalformedEventBudget({
      providerName: "openai",
      log,
      noun: "chunk",
      maxMalformed: 0,
    });
    const error = (() => {
      try {
        budget.skip({ data: "{" });
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(lines[0]).toMatchObject({
      malformedChunks: 1,
      msg: "skipped a malformed upstream stream chunk",
    });
    expect(lines[1]).toMatchObject({ msg: "malformed chunk data" });
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      kind: "malformed",
      message: "openai: more than 0 malformed stream chunks",
    });
  });

  it("logs the kind of a skipped event without data, and nothing at debug", () => {
    const { log, lines } = capturingLogger();
    const budget = createMalformedEventBudget({ providerName: "p", log, noun: "event" });
    budget.skip({ event: "messageStop" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ malformedEvents: 1, event: "messageStop" });
  });

  it("tolerates three malformed events by default and fails as malformed on the fourth", () => {
    const { log } = capturingLogger();
    const budget = createMalformedEventBudget({ providerName: "bedrock", log, noun: "event" });
    for (let index = 0; index < 3; index++) budget.skip({ event: "unknown" });
    expect(() => budget.skip({ event: "unknown" })).toThrow(
      new ProviderError("malformed", "bedrock: more than 3 malformed stream events"),
    );
  });
});
