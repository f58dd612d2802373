import { describe, expect, it } from "vitest";
import { classifyTransportError } from "../../src/providers/http/classify-transport-error.js";
import { parseRetryAfterMs } from "../../src/providers/http/parse-retry-after.js";
import {
  classifyOpenAiError,
  classifyOpenAiStreamError,
} from "../../src/providers/openai/classify-openai-error.js";
import type { FailureKind } from "../../src/providers/provider-error.js";
import { readOpenAiFixture } from "../fakes/openai-fixtures.js";

const NOW_MS = Date.parse("2026-01-15T12:00:00Z");

function classify(status: number, body: string, headers: Record<string, string> = {}) {
  return classifyOpenAiError("openai", { status, body, headers }, NOW_MS);
}

describe("classifyOpenAiError", () => {
  it.each<[string, number, string, Record<string, string>, FailureKind, number | undefined]>([
    [
      "429 with Retry-After seconds",
      429,
      "error-rate-limit.json",
      { "retry-after": "2" },
      "rate_limited",
      2000,
    ],
    [
      "429 with retry-after-ms",
      429,
      "error-rate-limit.json",
      { "retry-after-ms": "1500.5", "retry-after": "2" },
      "rate_limited",
      1501,
    ],
    [
      "429 with an HTTP-date",
      429,
      "error-rate-limit.json",
      { "retry-after": "Thu, 15 Jan 2026 12:00:05 GMT" },
      "rate_limited",
      5000,
    ],
    ["429 without Retry-After", 429, "error-rate-limit.json", {}, "rate_limited", undefined],
    [
      "429 insufficient_quota, Retry-After ignored",
      429,
      "error-insufficient-quota.json",
      { "retry-after": "2" },
      "rate_limited",
      undefined,
    ],
    ["401 invalid key", 401, "error-invalid-api-key.json", {}, "unauthorized", undefined],
    [
      "403",
      403,
      '{"error":{"message":"Country, region, or territory not supported"}}',
      {},
      "unauthorized",
      undefined,
    ],
    [
      "400 context_length_exceeded",
      400,
      "error-context-length-exceeded.json",
      {},
      "context_too_long",
      undefined,
    ],
    [
      "400 that only says maximum context length",
      400,
      '{"error":{"message":"This model\'s maximum context length is 8192 tokens"}}',
      {},
      "context_too_long",
      undefined,
    ],
    [
      "400 Azure content filter",
      400,
      "error-content-filter.json",
      {},
      "content_filtered",
      undefined,
    ],
    [
      "400 with only innererror ResponsibleAIPolicyViolation",
      400,
      '{"error":{"code":"invalid_request_error","innererror":{"code":"ResponsibleAIPolicyViolation"}}}',
      {},
      "content_filtered",
      undefined,
    ],
    [
      "400 content_policy_violation",
      400,
      '{"error":{"message":"no","code":"content_policy_violation"}}',
      {},
      "content_filtered",
      undefined,
    ],
    ["400 other", 400, "error-invalid-request.json", {}, "rejected", undefined],
    [
      "404 in Ollama's shape",
      404,
      '{"error":"model \\"llama9\\" not found"}',
      {},
      "unauthorized",
      undefined,
    ],
    [
      "404 model_not_found",
      404,
      '{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}',
      {},
      "unauthorized",
      undefined,
    ],
    [
      "402 insufficient balance",
      402,
      '{"error":{"message":"Insufficient Balance","type":"unknown_error","param":null,"code":"invalid_request_error"}}',
      { "retry-after": "5" },
      "rate_limited",
      undefined,
    ],
    ["422", 422, '{"error":"invalid parameters"}', {}, "rejected", undefined],
    ["408", 408, "", {}, "timeout", undefined],
    ["500", 500, "error-server-error.json", {}, "overloaded", undefined],
    ["503", 503, "error-overloaded.json", {}, "overloaded", undefined],
    ["529", 529, '{"type":"error"}', {}, "overloaded", undefined],
    [
      "502 with an HTML body",
      502,
      "<html><body>Bad gateway</body></html>",
      {},
      "overloaded",
      undefined,
    ],
    ["304", 304, "", {}, "malformed", undefined],
  ])("classifies %s", (_name, status, bodyOrFixture, headers, kind, retryAfterMs) => {
    const body = bodyOrFixture.endsWith(".json") ? readOpenAiFixture(bodyOrFixture) : bodyOrFixture;
    const error = classify(status, body, headers);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.retryAfterMs).toBe(retryAfterMs);
  });

  it("names the provider, the status and the provider's message", () => {
    const error = classify(400, readOpenAiFixture("error-content-filter.json"));
    expect(error.message).toMatch(
      /^openai: HTTP 400: The response was filtered due to the prompt triggering Azure OpenAI's content management policy\./,
    );
  });

  it("cuts a long provider message to about 300 characters and never copies the raw body", () => {
    const body = JSON.stringify({
      error: { message: "x".repeat(5000), type: "secret_type_marker" },
    });
    const error = classify(400, body);
    expect(error.message.length).toBeLessThan(340);
    expect(error.message).not.toContain("secret_type_marker");
  });

  it("masks API keys and bearer tokens echoed in the provider's message", () => {
    const body = JSON.stringify({
      error: {
        message: "Incorrect API key provided: sk-proj-abcdef123456. Header Bearer eyJhbGciOi.x.y",
      },
    });
    const error = classify(401, body);
    expect(error.message).not.toContain("abcdef123456");
    expect(error.message).not.toContain("eyJhbGciOi");
    expect(error.message).toContain("sk-***");
  });

  it("says only the status when the body is not JSON", () => {
    expect(classify(502, "<html>proxy error: sk-live-123456789</html>").message).toBe(
      "openai: HTTP 502",
    );
  });

  it("classifies an error object inside the stream as interrupted with its message", () => {
    const error = classifyOpenAiStreamError(
      "deepseek",
      JSON.parse(readOpenAiFixture("error-server-error.json")),
    );
    expect(error.kind).toBe("interrupted");
    expect(error.message).toBe(
      "deepseek: stream error: The server had an error while processing your request. Sorry about that!",
    );
  });
});

describe("parseRetryAfterMs", () => {
  it("gives 0 for a date in the past and undefined for garbage", () => {
    expect(parseRetryAfterMs({ "retry-after": "Wed, 14 Jan 2026 12:00:00 GMT" }, NOW_MS)).toBe(0);
    expect(parseRetryAfterMs({ "retry-after": "soon" }, NOW_MS)).toBeUndefined();
    expect(parseRetryAfterMs({ "retry-after": ["3", "9"] }, NOW_MS)).toBe(3000);
  });
});

describe("classifyTransportError", () => {
  const options = { providerName: "local", headersTimeoutMs: 250 };

  it.each([
    ["ECONNREFUSED", "unreachable"],
    ["ENOTFOUND", "unreachable"],
    ["ECONNRESET", "unreachable"],
    ["EPIPE", "unreachable"],
    ["UND_ERR_SOCKET", "unreachable"],
    ["UND_ERR_CONNECT_TIMEOUT", "unreachable"],
    ["UND_ERR_HEADERS_TIMEOUT", "timeout"],
  ])("classifies %s as %s", (code, kind) => {
    const cause = Object.assign(new Error("failed"), { code });
    const error = classifyTransportError(cause, options);
    expect(error.kind).toBe(kind);
    expect(error.cause).toBe(cause);
  });

  it("finds the code inside an AggregateError and a cause chain", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const wrapped = new Error("fetch failed", { cause: new AggregateError([refused]) });
    expect(classifyTransportError(wrapped, options).message).toBe(
      "local: connection failed (ECONNREFUSED)",
    );
  });

  it("names the headers timeout in its message", () => {
    const cause = Object.assign(new Error("Headers Timeout Error"), {
      code: "UND_ERR_HEADERS_TIMEOUT",
    });
    expect(classifyTransportError(cause, options).message).toBe(
      "local: no response headers within 250 ms",
    );
  });
});
