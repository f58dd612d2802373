import { describe, expect, it } from "vitest";
import { failureKindOfStatus } from "../../../src/providers/http/failure-kind-of-status.js";

describe("failureKindOfStatus", () => {
  it.each([
    [429, "rate_limited"],
    [401, "unauthorized"],
    [403, "unauthorized"],
    [404, "unauthorized"],
    [408, "timeout"],
    [400, "rejected"],
    [413, "rejected"],
    [422, "rejected"],
    [500, "overloaded"],
    [503, "overloaded"],
    [529, "overloaded"],
    [302, "malformed"],
    [600, "malformed"],
  ])("classifies HTTP %i as %s", (status, kind) => {
    expect(failureKindOfStatus(status)).toBe(kind);
  });
});
