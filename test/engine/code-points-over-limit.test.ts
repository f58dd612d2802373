import { describe, expect, it } from "vitest";
import { codePointsOverLimit } from "../../src/engine/code-points-over-limit.js";

describe("codePointsOverLimit", () => {
  it("counts an astral character (two UTF-16 units) as one code point", () => {
    expect(codePointsOverLimit("😀".repeat(3), 3)).toBeUndefined();
    expect(codePointsOverLimit("😀".repeat(4), 3)).toBe(4);
    expect(codePointsOverLimit("a😀b😀", 4)).toBeUndefined();
    expect(codePointsOverLimit("a😀b😀c", 4)).toBe(5);
  });

  it("counts BMP text by its length", () => {
    expect(codePointsOverLimit("é".repeat(10), 10)).toBeUndefined();
    expect(codePointsOverLimit("é".repeat(11), 10)).toBe(11);
    expect(codePointsOverLimit("", 0)).toBeUndefined();
  });

  it("counts each lone surrogate as one code point, as for…of does", () => {
    const lone = "\ud83d\ud83d\ude00\ude00x"; // high, pair, low, x
    expect([...lone]).toHaveLength(4);
    expect(codePointsOverLimit(lone, 3)).toBe(4);
    expect(codePointsOverLimit(lone, 4)).toBeUndefined();
    expect(codePointsOverLimit("ab\ud83d", 2)).toBe(3);
  });
});
