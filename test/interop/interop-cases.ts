import type { AttemptTrail } from "../../gen/switchboard/v1/errors_pb.js";
import { AttemptOutcomeSchema } from "../../gen/switchboard/v1/types_pb.js";

/**
 * What every client of the interop matrix runs, and how a run is judged. Browser-safe (no Node
 * imports): the connect-web bundle uses it too. The Go, Java and Python clients hold the same
 * constants; keep them in step.
 */

/** The cases each client runs, in this order: the matrix's columns (with `reflection`). */
export const CASES = ["unary", "stream", "unavailable", "not-found", "deadline", "health"] as const;

/** A column of the matrix: a case, or `reflection` (grpcurl only). */
export type CaseName = (typeof CASES)[number] | "reflection";

/** One case's outcome as a client reports it: a JSON line `{"case":…,"ok":…,"detail":…}`. */
export interface CaseResult {
  readonly case: CaseName;
  readonly ok: boolean;
  /** What the client saw: the answer, the decoded attempt trail, the error message. */
  readonly detail: string;
}

/** The prompt of the unary and the streamed case: the demo model answers both alike. */
export const PROMPT = "Hello from the interop matrix";
/** A model whose upstream always answers 503: its route ends UNAVAILABLE. */
export const FAILING_MODEL = "fail:always-503";
/** A demo model slowed so that no answer fits in `DEADLINE_MS`. */
export const SLOW_MODEL = "slow:echo";
/** A well-formed session id that no session has: `NOT_FOUND`. */
export const UNKNOWN_SESSION_ID = "00000000-0000-4000-8000-000000000000";
/** The deadline of the `deadline` case. */
export const DEADLINE_MS = 200;
/** The deadline of every other call. */
export const CALL_TIMEOUT_MS = 30_000;

/**
 * The `unavailable` case's detail every client must print after decoding the AttemptTrail: the
 * gateway retries the failing model once (`retry.maxRetries: 1`) and both attempts are 503s.
 */
export const EXPECTED_UNAVAILABLE_DETAIL = `attempts=2 ${FAILING_MODEL}=ATTEMPT_OUTCOME_OVERLOADED,${FAILING_MODEL}=ATTEMPT_OUTCOME_OVERLOADED`;

/** The detail an attempt trail is reported with: `attempts=N model=OUTCOME,…`. */
export function describeAttempts(
  attempts: readonly { readonly model: string; readonly outcome: string }[],
): string {
  const outcomes = attempts.map((attempt) => `${attempt.model}=${attempt.outcome}`);
  return `attempts=${attempts.length} ${outcomes.join(",")}`;
}

/** `describeAttempts` of a decoded AttemptTrail, outcomes by their proto names. */
export function describeTrail(trail: AttemptTrail): string {
  return describeAttempts(
    trail.attempts.map((attempt) => ({
      model: attempt.model,
      outcome: AttemptOutcomeSchema.value[attempt.outcome]?.name ?? String(attempt.outcome),
    })),
  );
}

/** One streamed event, reduced to what the `stream` case checks. */
export interface SeenEvent {
  readonly sequence: number;
  /** "started", "delta", "completed", … */
  readonly kind: string;
  /** A delta's text; empty for other events. */
  readonly text: string;
}

/**
 * The `stream` case's verdict: sequences 1, 2, 3 … without gaps, `started` first, `completed`
 * last, and the deltas joined equal to the unary answer (the demo model is deterministic).
 */
export function judgeStream(events: readonly SeenEvent[], unaryText: string): CaseResult {
  const gap = events.findIndex((event, index) => event.sequence !== index + 1);
  if (gap >= 0) {
    return fail("stream", `sequence ${events[gap]?.sequence} where ${gap + 1} was due`);
  }
  const kinds = events.map((event) => event.kind);
  if (kinds.length < 3 || kinds[0] !== "started" || kinds.at(-1) !== "completed") {
    return fail("stream", `events ${kinds.join(",")}`);
  }
  const text = events.map((event) => event.text).join("");
  if (text !== unaryText)
    return fail("stream", `text ${JSON.stringify(text)} differs from the unary answer`);
  return { case: "stream", ok: true, detail: `${events.length} events, started to completed` };
}

/** A failed case. */
export function fail(name: CaseName, detail: string): CaseResult {
  return { case: name, ok: false, detail };
}

/** Runs one case; whatever it throws fails the case with the error's message. */
export async function runCase(name: CaseName, run: () => Promise<CaseResult>): Promise<CaseResult> {
  try {
    return await run();
  } catch (error) {
    return fail(name, messageOf(error));
  }
}

/** The message of whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
