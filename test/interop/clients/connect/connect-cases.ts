import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../../../gen/grpc/health/v1/health_pb.js";
import { AttemptTrailSchema } from "../../../../gen/switchboard/v1/errors_pb.js";
import {
  PromptService,
  type StreamPromptResponse,
} from "../../../../gen/switchboard/v1/prompt_service_pb.js";
import { SessionService } from "../../../../gen/switchboard/v1/session_service_pb.js";
import {
  CALL_TIMEOUT_MS,
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
} from "../../interop-cases.js";

/**
 * Runs every case of the matrix with connect-es clients over `transport`: connect-node's in
 * Node, connect-web's in Chromium (this file is bundled for the browser, so it imports nothing
 * from Node).
 */
export async function runConnectCases(transport: Transport): Promise<CaseResult[]> {
  const prompts = createClient(PromptService, transport);
  const sessions = createClient(SessionService, transport);
  const health = createClient(Health, transport);
  const options = { timeoutMs: CALL_TIMEOUT_MS };
  const results: CaseResult[] = [];

  let unaryText = "";
  results.push(
    await runCase("unary", async () => {
      unaryText = (await prompts.prompt({ prompt: PROMPT }, options)).text;
      return { case: "unary", ok: unaryText.includes("[demo]"), detail: unaryText };
    }),
  );

  results.push(
    await runCase("stream", async () => {
      const events: SeenEvent[] = [];
      for await (const event of prompts.streamPrompt({ prompt: PROMPT }, options)) {
        events.push(seen(event));
      }
      return judgeStream(events, unaryText);
    }),
  );

  results.push(
    await expectCode(
      "unavailable",
      () => prompts.prompt({ prompt: PROMPT, models: [FAILING_MODEL] }, options),
      Code.Unavailable,
      (error) => {
        // findDetails decodes the error details (Connect JSON, or grpc-status-details-bin).
        const [trail] = error.findDetails(AttemptTrailSchema);
        if (trail === undefined)
          return fail("unavailable", `no AttemptTrail among ${error.details.length} details`);
        return { case: "unavailable", ok: true, detail: describeTrail(trail) };
      },
    ),
  );

  results.push(
    await expectCode(
      "not-found",
      () => sessions.getSession({ sessionId: UNKNOWN_SESSION_ID }, options),
      Code.NotFound,
    ),
  );

  results.push(
    await expectCode(
      "deadline",
      () => prompts.prompt({ prompt: PROMPT, models: [SLOW_MODEL] }, { timeoutMs: DEADLINE_MS }),
      Code.DeadlineExceeded,
    ),
  );

  results.push(
    await runCase("health", async () => {
      const { status } = await health.check({ service: "" }, options);
      return {
        case: "health",
        ok: status === ServingStatus.SERVING,
        detail: ServingStatus[status] ?? String(status),
      };
    }),
  );
  return results;
}

/** A stream event as the `stream` case sees it. */
function seen(event: StreamPromptResponse): SeenEvent {
  const kind = event.event.case ?? "none";
  return {
    sequence: Number(event.sequence),
    kind,
    text: event.event.case === "delta" ? event.event.value.text : "",
  };
}

/** Runs `call`, which must fail with `code`; `describe` judges the error (default: its message). */
async function expectCode(
  name: CaseName,
  call: () => Promise<unknown>,
  code: Code,
  describe: (error: ConnectError) => CaseResult = (error) => ({
    case: name,
    ok: true,
    detail: error.rawMessage,
  }),
): Promise<CaseResult> {
  try {
    await call();
    return fail(name, "the call succeeded");
  } catch (error) {
    const connectError = ConnectError.from(error);
    if (connectError.code !== code)
      return fail(name, `want ${Code[code]}, got ${connectError.message}`);
    return describe(connectError);
  }
}
