import {
  AccessDeniedException,
  InternalServerException,
  ModelStreamErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { classifyBedrockError } from "../../../src/providers/bedrock/classify-bedrock-error.js";
import {
  bedrockModelSupportsPrefill,
  mapBedrockRequest,
} from "../../../src/providers/bedrock/map-bedrock-request.js";
import { mapBedrockStopReason } from "../../../src/providers/bedrock/map-bedrock-stop-reason.js";
import { mapBedrockUsage } from "../../../src/providers/bedrock/map-bedrock-usage.js";
import type { FailureKind } from "../../../src/providers/provider-error.js";

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe("mapBedrockStopReason", () => {
  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["content_filtered", "content_filter"],
    ["guardrail_intervened", "content_filter"],
    ["tool_use", "unknown"],
    ["malformed_model_output", "unknown"],
    ["something_new", "unknown"],
  ])("maps %s to %s", (stopReason, reason) => {
    expect(mapBedrockStopReason(stopReason)).toBe(reason);
  });
});

describe("mapBedrockUsage", () => {
  it("maps input and output tokens and ignores the total", () => {
    expect(mapBedrockUsage({ inputTokens: 17, outputTokens: 8, totalTokens: 25 })).toEqual({
      inputTokens: 17,
      outputTokens: 8,
    });
  });

  it("gives undefined for absent or partial usage", () => {
    expect(mapBedrockUsage(undefined)).toBeUndefined();
    expect(mapBedrockUsage({ inputTokens: 3 } as never)).toBeUndefined();
  });
});

describe("mapBedrockRequest", () => {
  it("puts the system message in system and the turns in messages with every option", () => {
    const input = mapBedrockRequest(
      {
        messages: [
          { role: "system", content: "Be terse." },
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
          { role: "user", content: "Colours?" },
        ],
        options: { maxTokens: 50, temperature: 0.3, topP: 0.8, stop: ["END"] },
      },
      "anthropic.claude-3-5-haiku-20241022-v1:0",
    );
    expect(input).toEqual({
      modelId: "anthropic.claude-3-5-haiku-20241022-v1:0",
      system: [{ text: "Be terse." }],
      messages: [
        { role: "user", content: [{ text: "Hi" }] },
        { role: "assistant", content: [{ text: "Hello" }] },
        { role: "user", content: [{ text: "Colours?" }] },
      ],
      inferenceConfig: { maxTokens: 50, temperature: 0.3, topP: 0.8, stopSequences: ["END"] },
    });
  });

  it("leaves out system and inferenceConfig when unset, and merges consecutive turns", () => {
    const input = mapBedrockRequest(
      {
        messages: [
          { role: "user", content: "One" },
          { role: "user", content: "Two" },
        ],
        options: { stop: [] },
      },
      "m",
    );
    expect(input).toEqual({
      modelId: "m",
      messages: [{ role: "user", content: [{ text: "One" }, { text: "Two" }] }],
    });
  });

  it("sends the prefill as a final assistant message without trailing whitespace", () => {
    const input = mapBedrockRequest(
      { messages: [{ role: "user", content: "Colours?" }], options: {}, prefill: "Red, " },
      "m",
    );
    expect(input.messages?.at(-1)).toEqual({ role: "assistant", content: [{ text: "Red," }] });
  });

  it.each([
    ["anthropic.claude-3-5-haiku-20241022-v1:0", true],
    ["us.anthropic.claude-sonnet-4-20250514-v1:0", true],
    ["arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7", true],
    ["us.meta.llama3-3-70b-instruct-v1:0", false],
    ["mistral.mistral-large-2402-v1:0", false],
    ["amazon.nova-pro-v1:0", false],
  ])("says whether %s supports prefill (%s)", (modelId, supported) => {
    expect(bedrockModelSupportsPrefill(modelId)).toBe(supported);
  });
});

describe("classifyBedrockError", () => {
  const message = "the provider's message";
  it.each<[string, Error, FailureKind, number | undefined]>([
    [
      "ThrottlingException",
      new ThrottlingException({ message, ...metadata(429) }),
      "rate_limited",
      429,
    ],
    [
      "ServiceQuotaExceededException",
      new ServiceQuotaExceededException({ message, ...metadata(400) }),
      "rate_limited",
      400,
    ],
    [
      "ServiceUnavailableException",
      new ServiceUnavailableException({ message, ...metadata(503) }),
      "overloaded",
      503,
    ],
    [
      "InternalServerException",
      new InternalServerException({ message, ...metadata(500) }),
      "overloaded",
      500,
    ],
    [
      "ModelTimeoutException",
      new ModelTimeoutException({ message, ...metadata(408) }),
      "timeout",
      408,
    ],
    [
      "ValidationException",
      new ValidationException({ message, ...metadata(400) }),
      "rejected",
      400,
    ],
    [
      "AccessDeniedException",
      new AccessDeniedException({ message, ...metadata(403) }),
      "unauthorized",
      403,
    ],
    [
      "ResourceNotFoundException",
      new ResourceNotFoundException({ message, ...metadata(404) }),
      "unauthorized",
      404,
    ],
    [
      "ModelStreamErrorException",
      new ModelStreamErrorException({ message, $metadata: {} }),
      "interrupted",
      undefined,
    ],
  ])("classifies %s", (_name, error, kind, status) => {
    const classified = classifyBedrockError("bedrock", error, "request");
    expect(classified.kind).toBe(kind);
    expect(classified.status).toBe(status);
    expect(classified.cause).toBe(error);
  });

  it.each([
    "Input is too long for requested model.",
    "This model's maximum context length is exceeded: too many input tokens",
    "prompt is too long: 210000 tokens > 200000 maximum",
  ])("classifies the ValidationException %j as context_too_long", (text) => {
    const error = new ValidationException({ message: text, ...metadata(400) });
    expect(classifyBedrockError("bedrock", error, "request").kind).toBe("context_too_long");
  });

  it.each([
    ["UnrecognizedClientException", 403, "unauthorized"],
    ["ExpiredTokenException", 403, "unauthorized"],
    ["InvalidSignatureException", 403, "unauthorized"],
    ["ModelNotReadyException", 429, "overloaded"],
    ["ModelErrorException", 424, "overloaded"],
    ["SomeNewException", 429, "rate_limited"],
    ["SomeNewException", 502, "overloaded"],
    ["SomeNewException", 422, "rejected"],
    ["SomeNewException", 401, "unauthorized"],
  ])("classifies %s with status %i as %s", (name, status, kind) => {
    const error = Object.assign(new Error(message), { name, ...metadata(status) });
    expect(classifyBedrockError("bedrock", error, "request").kind).toBe(kind);
  });

  it("names the provider, status, exception and message, and masks access key ids", () => {
    const error = new AccessDeniedException({
      message: `User AKIAIOSFODNN7EXAMPLE is not authorized\n to call ${"x".repeat(400)}`,
      ...metadata(403),
    });
    const classified = classifyBedrockError("aws", error, "request");
    expect(classified.message).toMatch(
      /^aws: HTTP 403: AccessDeniedException: User AKIA\*\*\* is not authorized to call x+…$/,
    );
    expect(classified.message).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(classified.message.length).toBeLessThan(400);
  });

  it("takes retryAfterMs from a Retry-After header of a throttled response", () => {
    const error = Object.assign(new ThrottlingException({ message, ...metadata(429) }), {
      $response: { statusCode: 429, headers: { "Retry-After": "3" } },
    });
    expect(classifyBedrockError("bedrock", error, "request").retryAfterMs).toBe(3000);
  });

  it("classifies refused and reset connections before the headers as unreachable", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(classifyBedrockError("bedrock", refused, "request").kind).toBe("unreachable");
    // The SDK renames a reset "TimeoutError"; it is still a connection that broke.
    const reset = Object.assign(new Error("socket hang up"), {
      code: "ECONNRESET",
      name: "TimeoutError",
    });
    expect(classifyBedrockError("bedrock", reset, "request").kind).toBe("unreachable");
  });

  it("classifies a socket timeout before the headers as timeout", () => {
    const timeout = Object.assign(new Error("socket timed out after 5000 ms of inactivity"), {
      name: "TimeoutError",
    });
    expect(classifyBedrockError("bedrock", timeout, "request").kind).toBe("timeout");
  });

  it("classifies a broken connection while streaming as interrupted", () => {
    const reset = Object.assign(new Error("aborted"), { code: "ECONNRESET" });
    expect(classifyBedrockError("bedrock", reset, "stream").kind).toBe("interrupted");
  });

  it("classifies a response the SDK could not parse as malformed", () => {
    const unparsable = Object.assign(new Error("Unexpected token"), {
      name: "SyntaxError",
      $metadata: {},
    });
    expect(classifyBedrockError("bedrock", unparsable, "request").kind).toBe("malformed");
  });

  it("classifies missing AWS credentials as unauthorized", () => {
    const missing = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    expect(classifyBedrockError("bedrock", missing, "request").kind).toBe("unauthorized");
  });

  it("classifies a missing AWS region as unauthorized: only the configuration can fix it", () => {
    // What the SDK throws when neither the config, AWS_REGION nor the profile names a region.
    const noRegion = new Error("Region is missing");
    const failure = classifyBedrockError("aws", noRegion, "request");
    expect([failure.kind, failure.message]).toEqual([
      "unauthorized",
      "aws: no AWS region; set providers.aws.region or AWS_REGION",
    ]);
  });
});
