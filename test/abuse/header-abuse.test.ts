import * as http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AttackTarget, attackConfig, startAttackTarget } from "./attack-target.js";
import { expectStillServing } from "./expect-still-serving.js";
import { envelope, PROMPT_HI_PROTO } from "./h2-frames.js";
import { headerCases, sendH1Headers, sendH2Headers } from "./header-abuse.js";
import { headerAbuseLimits } from "./probe-settings.js";
import { plainRequest } from "./well-behaved-client.js";

/** A gRPC `Prompt` over HTTP/2 with `grpc-timeout: value`; resolves with its grpc-status. */
function grpcPromptWithTimeout(
  url: string,
  timeout: string,
): Promise<{ status: string | undefined; message: string | undefined; bytes: number }> {
  const session = http2.connect(url);
  session.on("error", () => {});
  return new Promise((resolve) => {
    const stream = session.request({
      ":method": "POST",
      ":path": "/switchboard.v1.PromptService/Prompt",
      "content-type": "application/grpc",
      te: "trailers",
      "grpc-timeout": timeout,
    });
    let status: string | undefined;
    let message: string | undefined;
    let bytes = 0;
    const take = (headers: http2.IncomingHttpHeaders): void => {
      if (typeof headers["grpc-status"] === "string") status = headers["grpc-status"];
      if (typeof headers["grpc-message"] === "string") message = headers["grpc-message"];
    };
    stream.on("response", take);
    stream.on("trailers", take);
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    stream.on("error", () => {});
    stream.on("close", () => {
      session.close();
      resolve({ status, message, bytes });
    });
    stream.end(envelope(PROMPT_HI_PROTO));
  });
}

describe("header abuse", () => {
  let target: AttackTarget;
  beforeAll(async () => {
    target = await startAttackTarget(attackConfig(headerAbuseLimits));
  }, 30_000);
  afterAll(() => target?.stop());

  for (const { name, headers } of headerCases) {
    it(`rejects ${name} over HTTP/1.1 with 431 or a closed connection`, async () => {
      const exchange = await sendH1Headers(target.port, headers, { waitMs: 5_000 });
      const seen = `statuses ${JSON.stringify(exchange.statuses)}, closed ${exchange.closedByServer}`;
      expect(
        exchange.statuses.every((status) => status === 431),
        seen,
      ).toBe(true);
      expect(exchange.statuses.length === 1 || exchange.closedByServer, seen).toBe(true);
      await expectStillServing(target);
    }, 20_000);

    it(`rejects ${name} over HTTP/2 with 431 or a stream or connection reset`, async () => {
      const outcome = await sendH2Headers(target.port, headers);
      expect(outcome).toMatch(/^(status 431|stream reset \d+|GOAWAY \d+|connection closed)$/);
      await expectStillServing(target);
    }, 20_000);
  }

  it("clamps out-of-range grpc-timeout and connect-timeout-ms values instead of failing the call, and writes only JSON lines", async () => {
    for (const timeout of ["597H", "99999999999S"]) {
      const call = await grpcPromptWithTimeout(target.url, timeout);
      expect(call, `grpc-timeout: ${timeout}`).toMatchObject({ status: "0" });
      expect(call.bytes, `grpc-timeout: ${timeout}`).toBeGreaterThan(0);
    }
    const connect = await plainRequest(target.url, {
      method: "POST",
      path: "/switchboard.v1.PromptService/Prompt",
      headers: { "content-type": "application/json", "connect-timeout-ms": "2147483648" },
      body: '{"prompt":"hi"}',
    });
    expect(connect.status, connect.body).toBe(200);
    expect(JSON.parse(connect.body)).toMatchObject({ result: "RESULT_COMPLETE" });

    await expectStillServing(target);
    expect(target.stderr()).not.toContain("TimeoutOverflowWarning");
    expect(target.nonJsonStdout).toEqual([]);
    const stderrLines = target
      .stderr()
      .split("\n")
      .filter((line) => line !== "");
    expect(stderrLines.filter((line) => !isJson(line))).toEqual([]);
  }, 30_000);
});

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
