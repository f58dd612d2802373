import { describe, expect, it } from "vitest";
import { classifyOpenAiError } from "../../../src/providers/openai/classify-openai-error.js";
import { errorBody } from "../../fakes/openai-fixtures.js";

describe("classifyOpenAiError on Azure OpenAI's documented error bodies", () => {
  it("classifies the 401 'Access denied' body as unauthorized, with Azure's message", () => {
    const error = classifyOpenAiError("azure", {
      status: 401,
      body: errorBody("azure-unauthorized"),
      headers: {},
    });
    expect(error).toMatchObject({ kind: "unauthorized", status: 401 });
    expect(error.message).toMatch(
      /^azure: HTTP 401: Access denied due to invalid subscription key/,
    );
  });

  it("classifies a 429 as rate_limited, preferring retry-after-ms to retry-after", () => {
    const error = classifyOpenAiError("azure", {
      status: 429,
      body: errorBody("azure-rate-limit"),
      headers: { "retry-after": "2", "retry-after-ms": "1500" },
    });
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 1500 });
    expect(error.message).toContain("exceeded token rate limit");
  });

  it("classifies a 429 with only retry-after in seconds", () => {
    const error = classifyOpenAiError("azure", {
      status: 429,
      body: errorBody("azure-rate-limit"),
      headers: { "retry-after": "2" },
    });
    expect(error.retryAfterMs).toBe(2000);
  });

  it("classifies the ResponsibleAIPolicyViolation 400 as content_filtered", () => {
    const error = classifyOpenAiError("azure", {
      status: 400,
      body: errorBody("content-filter"),
      headers: {},
    });
    expect(error).toMatchObject({ kind: "content_filtered", status: 400 });
  });

  it("classifies ResponsibleAIPolicyViolation by its inner code alone", () => {
    const body = JSON.stringify({
      error: {
        message: "filtered",
        code: "other",
        innererror: { code: "ResponsibleAIPolicyViolation" },
      },
    });
    expect(classifyOpenAiError("azure", { status: 400, body, headers: {} }).kind).toBe(
      "content_filtered",
    );
  });

  it("classifies a 404 'Resource not found' (wrong deployment or api-version) as unauthorized", () => {
    const error = classifyOpenAiError("azure", {
      status: 404,
      body: errorBody("azure-not-found"),
      headers: {},
    });
    expect(error).toMatchObject({ kind: "unauthorized", status: 404 });
    expect(error.message).toBe("azure: HTTP 404: Resource not found");
  });
});
