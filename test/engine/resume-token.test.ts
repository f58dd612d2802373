import { describe, expect, it } from "vitest";
import { decodeResumeToken, encodeResumeToken } from "../../src/engine/resume-token.js";
import { GatewayError } from "../../src/gateway-error.js";

const streamId = "6f1c1a52-3f0e-4a7e-9a56-1f2f0c0f9d11";
const tokenOf = (text: string): string => Buffer.from(text).toString("base64url");

function decodeError(token: string): unknown {
  try {
    decodeResumeToken(token);
  } catch (error) {
    return error;
  }
  throw new Error(`expected ${token} to be refused`);
}

describe("resume tokens", () => {
  it("decodes what it encodes, sequence 0 included", () => {
    for (const sequence of [0, 1, 10, 12_345, Number.MAX_SAFE_INTEGER]) {
      expect(decodeResumeToken(encodeResumeToken({ streamId, sequence }))).toEqual({
        streamId,
        sequence,
      });
    }
  });

  it.each([
    ["an exponent", "1e1"],
    ["a leading zero", "05"],
    ["a leading space", " 5"],
    ["a trailing space", "5 "],
    ["a plus sign", "+5"],
    ["a minus sign", "-5"],
    ["negative zero", "-0"],
    ["a decimal point", "5.0"],
    ["hexadecimal", "0x5"],
    ["no digits", ""],
    ["more than a safe integer", "9007199254740992"],
  ])("refuses a sequence with %s as invalid_argument", (_, sequence) => {
    const error = decodeError(tokenOf(`${streamId}:${sequence}`));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: "invalid_argument" });
    expect((error as GatewayError).message).toMatch(/resume_token is not valid/);
  });

  it("refuses a stream id that is not a UUID, and base64url the encoder would not write", () => {
    expect(decodeError(tokenOf(`${"a".repeat(36)}:1`))).toMatchObject({ code: "invalid_argument" });
    expect(decodeError(tokenOf(":1"))).toMatchObject({ code: "invalid_argument" });
    const token = encodeResumeToken({ streamId, sequence: 7 });
    expect(decodeError(`${token}=`)).toMatchObject({ code: "invalid_argument" });
    expect(decodeError(`${token.slice(0, 10)}!${token.slice(10)}`)).toMatchObject({
      code: "invalid_argument",
    });
    expect(decodeError("not-a-token")).toMatchObject({ code: "invalid_argument" });
  });
});
