import { describe, expect, it } from "vitest";
import {
  classifyAnthropicError,
  classifyAnthropicStreamError,
} from "../../../src/providers/anthropic/classify-anthropic-error.js";
import type { FailureKind } from "../../../src/providers/provider-error.js";
import { readAnthropicFixture } from "../../fakes/anthropic/anthropic-fixtures.js";

const headers = { "request-id": "req_011CSHoEeqs5C35K2UUqR7Fy" };

describe("classifyAnthropicError", () => {
  it.each<[string, number, FailureKind]>([
    ["invalid-request", 400, "rejected"],
    ["trailing-whitespace", 400, "rejected"],
    ["prompt-too-long", 400, "context_too_long"],
    ["authentication", 401, "unauthorized"],
    ["permission", 403, "unauthorized"],
    ["not-found", 404, "unauthorized"],
    ["request-too-large", 413, "context_too_long"],
    ["rate-limit", 429, "rate_limited"],
    ["api-error", 500, "overloaded"],
    ["overloaded", 529, "overloaded"],
  ])("classifies error-%s.json with status %i as %s", (fixture, status, kind) => {
    const body = readAnthropicFixture(`error-${fixture}.json`);
    const error = classifyAnthropicError("claude", { status, body, headers });
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
  });

  it("says the provider, status, message and request id, never the raw body", () => {
    const body = readAnthropicFixture("error-overloaded.json");
    const error = classifyAnthropicError("claude", { status: 529, body, headers });
    expect(error.message).toBe(
      "claude: HTTP 529: Overloaded (request-id req_011CSHoEeqs5C35K2UUqR7Fy)",
    );
  });

  it("reports retry-after of a rate limit in milliseconds", () => {
    const body = readAnthropicFixture("error-rate-limit.json");
    const error = classifyAnthropicError("claude", {
      status: 429,
      body,
      headers: { "retry-after": "7" },
    });
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 7000 });
  });

  it("classifies billing_error as rate_limited without retry-after, and timeout_error as timeout", () => {
    const billing = JSON.stringify({
      type: "error",
      error: { type: "billing_error", message: "Your credit balance is too low." },
    });
    const error = classifyAnthropicError("claude", {
      status: 402,
      body: billing,
      headers: { "retry-after": "7" },
    });
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: undefined });
    const timeout = JSON.stringify({ type: "error", error: { type: "timeout_error" } });
    expect(classifyAnthropicError("claude", { status: 504, body: timeout, headers: {} }).kind).toBe(
      "timeout",
    );
  });

  it.each<[number, FailureKind]>([
    [429, "rate_limited"],
    [401, "unauthorized"],
    [413, "context_too_long"],
    [408, "timeout"],
    [422, "rejected"],
    [502, "overloaded"],
    [302, "malformed"],
  ])("classifies a non-Anthropic body with status %i as %s", (status, kind) => {
    const error = classifyAnthropicError("claude", {
      status,
      body: "<html>proxy</html>",
      headers: {},
    });
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(`claude: HTTP ${status}`);
  });

  it("masks key-like strings and cuts long messages to 300 characters", () => {
    const body = JSON.stringify({
      type: "error",
      error: {
        type: "authentication_error",
        message: `invalid key sk-ant-api03-abcdef ${"x".repeat(400)}`,
      },
    });
    const error = classifyAnthropicError("claude", { status: 401, body, headers: {} });
    expect(error.message).not.toContain("abcdef");
    expect(error.message).toContain("sk-***");
    expect(error.message.length).toBeLessThan(330);
  });
});

describe("classifyAnthropicStreamError", () => {
  it.each<[string, FailureKind]>([
    ["overloaded_error", "overloaded"],
    ["api_error", "overloaded"],
    ["rate_limit_error", "rate_limited"],
    ["invalid_request_error", "interrupted"],
    ["brand_new_error", "interrupted"],
  ])("classifies an error event of type %s as %s", (type, kind) => {
    const json = { type: "error", error: { type, message: "Overloaded" } };
    const error = classifyAnthropicStreamError("claude", json);
    expect(error.kind).toBe(kind);
    expect(error.status).toBeUndefined();
  });

  it("names the documented overloaded error event", () => {
    const json: unknown = JSON.parse(readAnthropicFixture("stream-error-overloaded.json"));
    expect(classifyAnthropicStreamError("claude", json).message).toBe(
      "claude: stream error overloaded_error: Overloaded",
    );
  });

  it("fails as interrupted for an error event it cannot read", () => {
    expect(classifyAnthropicStreamError("claude", "garbage").kind).toBe("interrupted");
  });
});
