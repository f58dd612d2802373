import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/config/duration.js";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1d", 86_400_000],
    ["1.5s", 1_500],
    [" 2 m ", 120_000],
    ["0s", 0],
  ])("parses %j as %d milliseconds", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it("takes a number as milliseconds already", () => {
    expect(parseDuration(1_500)).toBe(1_500);
    expect(parseDuration(0)).toBe(0);
  });

  it("rejects a negative duration, as a string or a number", () => {
    expect(() => parseDuration("-5s")).toThrow(/negative/);
    expect(() => parseDuration(-1)).toThrow(/negative/);
  });

  it("rejects NaN and infinities", () => {
    expect(() => parseDuration(Number.NaN)).toThrow(/not a duration/);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(/not a duration/);
  });

  it("rejects an unknown unit and names it", () => {
    expect(() => parseDuration("5x")).toThrow(/unknown unit "x".*ms, s, m, h or d/);
    expect(() => parseDuration("2w")).toThrow(/unknown unit "w"/);
  });

  it("rejects a string without a unit rather than guessing one", () => {
    expect(() => parseDuration("30")).toThrow(/no unit/);
  });

  it("rejects text that is not a duration at all", () => {
    expect(() => parseDuration("soon")).toThrow(/not a duration/);
    expect(() => parseDuration("")).toThrow(/not a duration/);
  });
});

describe("formatDuration", () => {
  it("writes the largest exact unit", () => {
    expect(formatDuration(86_400_000)).toBe("1d");
    expect(formatDuration(90_000)).toBe("90s");
    expect(formatDuration(600_000)).toBe("10m");
    expect(formatDuration(1_500)).toBe("1500ms");
    expect(formatDuration(0)).toBe("0ms");
  });

  it("round-trips through parseDuration", () => {
    for (const ms of [0, 1, 250, 1_000, 61_000, 3_600_000, 172_800_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
