import { execFile } from "node:child_process";
import { join } from "node:path";
import {
  type CaseName,
  type CaseResult,
  DEADLINE_MS,
  describeAttempts,
  FAILING_MODEL,
  fail,
  judgeStream,
  PROMPT,
  runCase,
  type SeenEvent,
  SLOW_MODEL,
  UNKNOWN_SESSION_ID,
} from "./interop-cases.js";

/** Where examples/grpc-tools/setup.sh installs grpcurl and grpc-health-probe (git-ignored). */
const toolsDir = join(".tools", "go-bin");
const grpcurl = join(toolsDir, "grpcurl");
const healthProbe = join(toolsDir, "grpc-health-probe");
const toolTimeoutMs = 15_000;

/** How a tool run ended. */
interface ToolRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** grpcurl exits with 64 + the gRPC status code when the RPC fails. */
const grpcurlExit = { notFound: 64 + 5, deadlineExceeded: 64 + 4, unavailable: 64 + 14 } as const;

/**
 * Runs the matrix's cases with grpcurl, which knows the API only through server reflection (no
 * .proto files), plus the `reflection` case: list the services and describe a message.
 */
export async function runGrpcurlCases(address: string): Promise<CaseResult[]> {
  const call = (method: string, request: unknown, ...flags: string[]) =>
    tool(grpcurl, ["-plaintext", ...flags, "-d", JSON.stringify(request), address, method]);
  const results: CaseResult[] = [];

  results.push(
    await runCase("reflection", async () => {
      const listed = await tool(grpcurl, ["-plaintext", address, "list"]);
      const services = listed.stdout.trim().split("\n");
      const wanted = [
        "switchboard.v1.PromptService",
        "switchboard.v1.SessionService",
        "grpc.health.v1.Health",
      ];
      const missing = wanted.filter((service) => !services.includes(service));
      if (missing.length > 0)
        return fail("reflection", `list lacks ${missing.join(", ")}: ${listed.stderr}`);
      const described = await tool(grpcurl, [
        "-plaintext",
        address,
        "describe",
        "switchboard.v1.PromptRequest",
      ]);
      const ok =
        described.stdout.includes("message PromptRequest {") &&
        described.stdout.includes("string prompt = 1;");
      return {
        case: "reflection",
        ok,
        detail: ok ? `${services.length} services; PromptRequest described` : described.stderr,
      };
    }),
  );

  let unaryText = "";
  results.push(
    await runCase("unary", async () => {
      const reply = await call("switchboard.v1.PromptService/Prompt", { prompt: PROMPT });
      if (reply.exitCode !== 0) return fail("unary", reply.stderr);
      unaryText = String((JSON.parse(reply.stdout) as { text?: unknown }).text);
      return { case: "unary", ok: unaryText.includes("[demo]"), detail: unaryText };
    }),
  );

  results.push(
    await runCase("stream", async () => {
      const reply = await call("switchboard.v1.PromptService/StreamPrompt", { prompt: PROMPT });
      if (reply.exitCode !== 0) return fail("stream", reply.stderr);
      // grpcurl prints each message as an indented JSON object starting at a line's start.
      const events: SeenEvent[] = reply.stdout
        .split(/\n(?=\{)/)
        .filter((part) => part.trim() !== "")
        .map((part) => {
          const message = JSON.parse(part) as Record<string, unknown>;
          const delta = message.delta as { text?: unknown } | undefined;
          return {
            sequence: Number(message.sequence),
            kind:
              ["started", "delta", "modelSwitched", "completed"].find((key) => key in message) ??
              "none",
            text: typeof delta?.text === "string" ? delta.text : "",
          };
        });
      return judgeStream(events, unaryText);
    }),
  );

  results.push(
    await runCase("unavailable", async () => {
      const reply = await call(
        "switchboard.v1.PromptService/Prompt",
        { prompt: PROMPT, models: [FAILING_MODEL] },
        "-format-error",
      );
      if (reply.exitCode !== grpcurlExit.unavailable)
        return fail("unavailable", `exit ${reply.exitCode}: ${reply.stderr}`);
      return attemptTrail(reply.stderr);
    }),
  );

  results.push(
    await runCase("not-found", async () => {
      const reply = await call("switchboard.v1.SessionService/GetSession", {
        sessionId: UNKNOWN_SESSION_ID,
      });
      return expectExit("not-found", reply, grpcurlExit.notFound);
    }),
  );

  results.push(
    await runCase("deadline", async () => {
      const reply = await call(
        "switchboard.v1.PromptService/Prompt",
        { prompt: PROMPT, models: [SLOW_MODEL] },
        "-max-time",
        String(DEADLINE_MS / 1000),
      );
      return expectExit("deadline", reply, grpcurlExit.deadlineExceeded);
    }),
  );

  results.push(
    await runCase("health", async () => {
      const reply = await call("grpc.health.v1.Health/Check", { service: "" });
      const status =
        reply.exitCode === 0
          ? (JSON.parse(reply.stdout) as { status?: unknown }).status
          : undefined;
      return { case: "health", ok: status === "SERVING", detail: String(status ?? reply.stderr) };
    }),
  );
  return results;
}

/** The `health` case with grpc-health-probe: exit status 0 and "status: SERVING". */
export async function runHealthProbeCases(address: string): Promise<CaseResult[]> {
  const health = await runCase("health", async () => {
    const probe = await tool(healthProbe, [`-addr=${address}`]);
    const ok = probe.exitCode === 0 && probe.stderr.includes("status: SERVING");
    return { case: "health", ok, detail: `exit ${probe.exitCode}: ${probe.stderr.trim()}` };
  });
  return [health];
}

function expectExit(name: CaseName, reply: ToolRun, exitCode: number): CaseResult {
  const detail = reply.stderr.trim().replace(/\s+/g, " ");
  return reply.exitCode === exitCode
    ? { case: name, ok: true, detail }
    : fail(name, `exit ${reply.exitCode}: ${detail}`);
}

/**
 * The AttemptTrail detail of grpcurl's `-format-error` JSON, which grpcurl decodes through
 * reflection (the gateway serves switchboard/v1/errors.proto for that). A detail it could not
 * describe arrives as raw `@value` bytes: that fails the case.
 */
function attemptTrail(errorJson: string): CaseResult {
  const status = JSON.parse(errorJson) as { details?: unknown };
  const details = Array.isArray(status.details)
    ? (status.details as Record<string, unknown>[])
    : [];
  const detail = details.find(
    (entry) => entry["@type"] === "type.googleapis.com/switchboard.v1.AttemptTrail",
  );
  if (detail === undefined)
    return fail("unavailable", `no AttemptTrail among ${details.length} details`);
  if (!Array.isArray(detail.attempts)) {
    return fail("unavailable", `grpcurl could not decode the detail: ${JSON.stringify(detail)}`);
  }
  const attempts = (detail.attempts as { model?: unknown; outcome?: unknown }[]).map((entry) => ({
    model: String(entry.model),
    outcome: String(entry.outcome),
  }));
  return { case: "unavailable", ok: true, detail: describeAttempts(attempts) };
}

/** Runs a tool to its end; a non-zero exit resolves (the cases judge it), a missing binary rejects. */
function tool(file: string, args: readonly string[]): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: toolTimeoutMs }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== "number") {
        reject(error);
        return;
      }
      resolve({ exitCode: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
    });
  });
}
