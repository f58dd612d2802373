import { spawn } from "node:child_process";
import { fromBinary } from "@bufbuild/protobuf";
import { AttemptTrailSchema } from "../../gen/switchboard/v1/errors_pb.js";
import {
  type CaseName,
  type CaseResult,
  DEADLINE_MS,
  describeTrail,
  FAILING_MODEL,
  fail,
  judgeStream,
  PROMPT,
  runCase,
  type SeenEvent,
  SLOW_MODEL,
  UNKNOWN_SESSION_ID,
} from "./interop-cases.js";

/** What one curl run answered. */
interface CurlReply {
  readonly httpStatus: number;
  readonly body: Buffer;
}

/**
 * Runs every case of the matrix with the `curl` binary speaking the Connect protocol with JSON
 * against `baseUrl`: unary calls are a POST of JSON, the stream is `application/connect+json`
 * envelopes (as examples/curl does), the deadline is the `connect-timeout-ms` header.
 */
export async function runCurlCases(baseUrl: string): Promise<CaseResult[]> {
  const unary = (path: string, body: unknown, headers: readonly string[] = []) =>
    curl(`${baseUrl}/${path}`, "application/json", Buffer.from(JSON.stringify(body)), headers);
  const results: CaseResult[] = [];

  let unaryText = "";
  results.push(
    await runCase("unary", async () => {
      const reply = json(await unary("switchboard.v1.PromptService/Prompt", { prompt: PROMPT }));
      unaryText = typeof reply.text === "string" ? reply.text : "";
      return { case: "unary", ok: unaryText.includes("[demo]"), detail: unaryText };
    }),
  );

  results.push(
    await runCase("stream", async () => {
      const request = envelope(0, Buffer.from(JSON.stringify({ prompt: PROMPT })));
      const reply = await curl(
        `${baseUrl}/switchboard.v1.PromptService/StreamPrompt`,
        "application/connect+json",
        request,
      );
      return streamResult(reply, unaryText);
    }),
  );

  results.push(
    await runCase("unavailable", async () => {
      const reply = await unary("switchboard.v1.PromptService/Prompt", {
        prompt: PROMPT,
        models: [FAILING_MODEL],
      });
      return expectCode("unavailable", reply, "unavailable", decodeAttemptTrail);
    }),
  );

  results.push(
    await runCase("not-found", async () => {
      const reply = await unary("switchboard.v1.SessionService/GetSession", {
        sessionId: UNKNOWN_SESSION_ID,
      });
      return expectCode("not-found", reply, "not_found");
    }),
  );

  results.push(
    await runCase("deadline", async () => {
      const reply = await unary(
        "switchboard.v1.PromptService/Prompt",
        { prompt: PROMPT, models: [SLOW_MODEL] },
        [`connect-timeout-ms: ${DEADLINE_MS}`],
      );
      return expectCode("deadline", reply, "deadline_exceeded");
    }),
  );

  results.push(
    await runCase("health", async () => {
      const reply = json(await unary("grpc.health.v1.Health/Check", { service: "" }));
      return { case: "health", ok: reply.status === "SERVING", detail: String(reply.status) };
    }),
  );
  return results;
}

/** POSTs `body` with curl; the HTTP status comes on stderr (`%{stderr}`), the body on stdout. */
function curl(
  url: string,
  contentType: string,
  body: Buffer,
  headers: readonly string[] = [],
): Promise<CurlReply> {
  const args = [
    "-sS",
    "--max-time",
    "10",
    "-H",
    `content-type: ${contentType}`,
    "--data-binary",
    "@-",
  ];
  for (const header of headers) args.push("-H", header);
  args.push("--write-out", "%{stderr}%{http_code}", url);
  return new Promise((resolve, reject) => {
    const child = spawn("curl", args, { stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (exitCode) => {
      const errorText = Buffer.concat(stderr).toString("utf8");
      if (exitCode !== 0) {
        reject(new Error(`curl exited ${exitCode}: ${errorText}`));
        return;
      }
      resolve({ httpStatus: Number(errorText.trim()), body: Buffer.concat(stdout) });
    });
    child.stdin.end(body);
  });
}

/** A Connect streaming frame: a flags byte, the length as 4 bytes big-endian, the message. */
function envelope(flags: number, message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(flags, 0);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** Splits a Connect stream body into its frames. */
function frames(body: Buffer): { flags: number; message: Record<string, unknown> }[] {
  const result: { flags: number; message: Record<string, unknown> }[] = [];
  for (let offset = 0; offset + 5 <= body.length; ) {
    const length = body.readUInt32BE(offset + 1);
    const message = body.subarray(offset + 5, offset + 5 + length);
    result.push({
      flags: body.readUInt8(offset),
      message: json({ httpStatus: 200, body: message }),
    });
    offset += 5 + length;
  }
  return result;
}

function streamResult(reply: CurlReply, unaryText: string): CaseResult {
  if (reply.httpStatus !== 200)
    return fail("stream", `HTTP ${reply.httpStatus}: ${reply.body.toString("utf8")}`);
  const all = frames(reply.body);
  const end = all.at(-1);
  // Flag 2 marks the end-of-stream frame: {} after success, {"error":…} otherwise.
  if (end === undefined || (end.flags & 2) === 0) return fail("stream", "no end-of-stream frame");
  if (end.message.error !== undefined) return fail("stream", JSON.stringify(end.message.error));
  const events: SeenEvent[] = all.slice(0, -1).map(({ message }) => {
    const kind =
      ["started", "delta", "modelSwitched", "completed"].find((key) => key in message) ?? "none";
    const delta = message.delta as { text?: unknown } | undefined;
    return {
      sequence: Number(message.sequence),
      kind,
      text: typeof delta?.text === "string" ? delta.text : "",
    };
  });
  return judgeStream(events, unaryText);
}

/** Checks a Connect error body's `code`; `describe` judges the body (default: its message). */
function expectCode(
  name: CaseName,
  reply: CurlReply,
  code: string,
  describe: (error: Record<string, unknown>) => CaseResult = (error) => ({
    case: name,
    ok: true,
    detail: String(error.message),
  }),
): CaseResult {
  const error = json(reply);
  if (error.code !== code)
    return fail(name, `want ${code}, got HTTP ${reply.httpStatus} ${JSON.stringify(error)}`);
  return describe(error);
}

/** Decodes the AttemptTrail detail's `value` (base64 protobuf), not the server's `debug` JSON. */
function decodeAttemptTrail(error: Record<string, unknown>): CaseResult {
  const details = Array.isArray(error.details) ? (error.details as unknown[]) : [];
  for (const detail of details) {
    const { type, value } = (detail ?? {}) as { type?: unknown; value?: unknown };
    if (type !== "switchboard.v1.AttemptTrail" || typeof value !== "string") continue;
    const trail = fromBinary(AttemptTrailSchema, Buffer.from(value, "base64"));
    return { case: "unavailable", ok: true, detail: describeTrail(trail) };
  }
  return fail("unavailable", `no AttemptTrail among ${details.length} details`);
}

function json(reply: CurlReply): Record<string, unknown> {
  const parsed: unknown = JSON.parse(reply.body.toString("utf8"));
  if (typeof parsed !== "object" || parsed === null)
    throw new Error(`not a JSON object: ${reply.body}`);
  return parsed as Record<string, unknown>;
}
