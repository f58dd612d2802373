import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { AttemptTrailSchema } from "../../gen/switchboard/v1/errors_pb.js";
import { GatewayError } from "../../src/gateway-error.js";
import { createSecretRegistry } from "../../src/secrets/secret-registry.js";
import { toConnectError } from "../../src/server/to-connect-error.js";

const log = pino({ level: "silent" });
const secrets = createSecretRegistry(["az-Kq7Tx9Wv2Rm4"]);

describe("toConnectError", () => {
  it("replaces configured secrets in a domain error's message, keeping code and trail", () => {
    const error = new GatewayError(
      "unavailable",
      "no model could answer (api-key: az-Kq7Tx9Wv2Rm4)",
      {
        attempts: [
          { model: "azure:gpt", outcome: "unauthorized", durationMs: 3, reason: "HTTP 401" },
        ],
      },
    );
    const sent = toConnectError(error, log, secrets);
    expect(sent.code).toBe(Code.Unavailable);
    expect(sent.rawMessage).toBe("no model could answer (api-key: [redacted])");
    expect(sent.findDetails(AttemptTrailSchema)[0]?.attempts[0]?.reason).toBe("HTTP 401");
  });

  it("replaces configured secrets in a ConnectError's message, keeping code, metadata and details", () => {
    const trail = create(AttemptTrailSchema, { attempts: [] });
    const thrown = new ConnectError(
      "bad header az-Kq7Tx9Wv2Rm4",
      Code.InvalidArgument,
      { "x-session-id": "s1" },
      [{ desc: AttemptTrailSchema, value: trail }],
    );
    const sent = toConnectError(thrown, log, secrets);
    expect(sent.rawMessage).toBe("bad header [redacted]");
    expect(sent.code).toBe(Code.InvalidArgument);
    expect(sent.metadata.get("x-session-id")).toBe("s1");
    expect(sent.findDetails(AttemptTrailSchema)).toHaveLength(1);
  });

  it("passes a ConnectError without secrets on as it is", () => {
    const thrown = new ConnectError("session not found", Code.NotFound);
    expect(toConnectError(thrown, log, secrets)).toBe(thrown);
  });
});
