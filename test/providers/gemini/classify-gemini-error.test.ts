import { describe, expect, it } from "vitest";
import {
  classifyGeminiError,
  classifyGeminiStreamError,
  parseProtoDurationMs,
} from "../../../src/providers/gemini/classify-gemini-error.js";
import type { FailureKind } from "../../../src/providers/provider-error.js";
import { readGeminiFixture } from "../../fakes/gemini/gemini-fixtures.js";

const classify = (status: number, body: string, headers: Record<string, string> = {}) =>
  classifyGeminiError("google", { status, body, headers }, Date.parse("2026-01-01T00:00:00Z"));

describe("classifyGeminiError", () => {
  it.each<[string, number, FailureKind]>([
    ["error-api-key-invalid.json", 400, "unauthorized"],
    ["error-permission-denied.json", 403, "unauthorized"],
    ["error-not-found.json", 404, "unauthorized"],
    ["error-context-length.json", 400, "context_too_long"],
    ["error-invalid-argument.json", 400, "rejected"],
    ["error-resource-exhausted.json", 429, "rate_limited"],
    ["error-resource-exhausted-retry-info.json", 429, "rate_limited"],
    ["error-internal.json", 500, "overloaded"],
    ["error-unavailable.json", 503, "overloaded"],
    ["error-deadline-exceeded.json", 504, "timeout"],
  ])("classifies %s (HTTP %i) as %s", (fixture, status, kind) => {
    const error = classify(status, readGeminiFixture(fixture));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
  });

  it("recognises an invalid key by its message when the ErrorInfo detail is missing", () => {
    const body = JSON.stringify({
      error: {
        code: 400,
        message: "API key not valid. Please pass a valid API key.",
        status: "INVALID_ARGUMENT",
      },
    });
    expect(classify(400, body).kind).toBe("unauthorized");
  });

  it("takes the retry delay from RetryInfo, and Retry-After over it", () => {
    const body = readGeminiFixture("error-resource-exhausted-retry-info.json");
    expect(classify(429, body).retryAfterMs).toBe(47_000);
    expect(classify(429, body, { "retry-after": "3" }).retryAfterMs).toBe(3000);
    expect(
      classify(429, readGeminiFixture("error-resource-exhausted.json")).retryAfterMs,
    ).toBeUndefined();
  });

  it("reads a 429 wrapped in a one-element array", () => {
    const body = `[${readGeminiFixture("error-resource-exhausted-retry-info.json")}]`;
    expect(classify(429, body).retryAfterMs).toBe(47_000);
  });

  it("names the provider, the status and Google's message, never a key or the raw body", () => {
    const body = JSON.stringify({
      error: {
        code: 400,
        message: `Bad request for https://x/y?key=AIzaSyDUMMYDUMMYDUMMYDUMMYDUMMYDUMMY12 and AIzaSyA0123456789abcdefghijklmnopqrstu`,
        status: "INVALID_ARGUMENT",
      },
    });
    const error = classify(400, body);
    expect(error.message).toBe("google: HTTP 400: Bad request for https://x/y?key=*** and AIza***");
  });

  it("cuts a long message to 300 characters and falls back to the status for a non-JSON body", () => {
    const long = JSON.stringify({
      error: { code: 500, message: "x".repeat(500), status: "INTERNAL" },
    });
    expect(classify(500, long).message).toBe(`google: HTTP 500: ${"x".repeat(300)}…`);
    expect(classify(502, "<html>Bad Gateway</html>").message).toBe("google: HTTP 502");
    expect(classify(502, "<html>Bad Gateway</html>").kind).toBe("overloaded");
    expect(classify(302, "").kind).toBe("malformed");
  });

  it("classifies an in-stream error as interrupted with its message", () => {
    const error = classifyGeminiStreamError(
      "google",
      JSON.parse(readGeminiFixture("error-internal.json")),
    );
    expect(error.kind).toBe("interrupted");
    expect(error.message).toMatch(/^google: stream error: An internal error has occurred/);
  });
});

describe("parseProtoDurationMs", () => {
  it.each<[string, number | undefined]>([
    ["30s", 30_000],
    ["45.837906927s", 45_838],
    ["0s", 0],
    ["30", undefined],
    ["1m", undefined],
  ])("parses %s as %s ms", (duration, expected) => {
    expect(parseProtoDurationMs(duration)).toBe(expected);
  });
});
