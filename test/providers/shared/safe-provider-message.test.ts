import { describe, expect, it } from "vitest";
import {
  type Redaction,
  redactProviderMessage,
  SK_API_KEY_REDACTION,
  safeProviderMessage,
} from "../../../src/providers/http/safe-provider-message.js";

const NONE: readonly Redaction[] = [];

describe("safeProviderMessage", () => {
  it("gives the prefix alone when the provider sent no message, or only whitespace", () => {
    expect(safeProviderMessage("p: HTTP 500", undefined, NONE)).toBe("p: HTTP 500");
    expect(safeProviderMessage("p: HTTP 500", " \n\t ", NONE)).toBe("p: HTTP 500");
  });

  it("appends the message with whitespace runs collapsed and trimmed", () => {
    expect(safeProviderMessage("p: HTTP 400", "  bad\n\n  request ", NONE)).toBe(
      "p: HTTP 400: bad request",
    );
  });

  it("cuts the message to 300 characters with an ellipsis", () => {
    const message = safeProviderMessage("p", "a".repeat(301), NONE);
    expect(message).toBe(`p: ${"a".repeat(300)}…`);
    expect(safeProviderMessage("p", "a".repeat(300), NONE)).toBe(`p: ${"a".repeat(300)}`);
  });

  it("masks secret keys, including ones the provider already masked in part", () => {
    const message = safeProviderMessage(
      "p",
      "Incorrect API key provided: sk-proj-abc123 and sk-abc***xyz",
      [SK_API_KEY_REDACTION],
    );
    expect(message).toBe("p: Incorrect API key provided: sk-*** and sk-***");
  });

  it("applies the redactions in order, with captured prefixes kept", () => {
    const redactions: readonly Redaction[] = [
      { pattern: /([?&]key=)[^&\s"]+/gi, replacement: "$1***" },
      { pattern: /secret/g, replacement: "[hidden]" },
    ];
    expect(safeProviderMessage("p", "GET /x?key=AIzaSecret&a=1 secret", redactions)).toBe(
      "p: GET /x?key=***&a=1 [hidden]",
    );
  });

  it("masks every occurrence on every call (global patterns keep no state between calls)", () => {
    const first = safeProviderMessage("p", "sk-aaaa1 sk-bbbb2", [SK_API_KEY_REDACTION]);
    const second = safeProviderMessage("p", "sk-cccc3", [SK_API_KEY_REDACTION]);
    expect([first, second]).toEqual(["p: sk-*** sk-***", "p: sk-***"]);
  });
});

describe("redactProviderMessage", () => {
  it("gives undefined without a message and an empty string for whitespace", () => {
    expect(redactProviderMessage(undefined, NONE)).toBeUndefined();
    expect(redactProviderMessage("  ", NONE)).toBe("");
  });
});
