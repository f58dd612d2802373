import type { Logger } from "pino";
import type { AttemptRecord } from "../gateway-error.js";
import type { AnswerResult, UsageRecord } from "../storage/records.js";
import type { SessionStore } from "../storage/session-store.js";
import { type GenerationDeps, generateAnswer } from "./generate-answer.js";
import type { PreparedTurn } from "./prepare-turn.js";
import { recordTurn } from "./record-turn.js";

/** One complete answer. */
export interface PromptAnswer {
  readonly text: string;
  readonly sessionId: string;
  readonly result: AnswerResult;
  readonly model: string;
  readonly usage: UsageRecord | undefined;
  readonly attempts: readonly AttemptRecord[];
}

/**
 * Produces one complete answer by folding the same events a stream would deliver (a
 * `model_switched` that discards resets the text), then stores the turn (unless `sessions` is
 * undefined: a stateless answer, whose `sessionId` is empty).
 */
export async function answerPrompt(
  turn: PreparedTurn,
  deps: GenerationDeps & { readonly sessions: SessionStore | undefined },
  signal: AbortSignal,
  log: Logger,
): Promise<PromptAnswer> {
  let text = "";
  for await (const event of generateAnswer(turn.request, { ...deps, log }, signal)) {
    if (event.type === "delta") text += event.text;
    else if (event.type === "model_switched") {
      if (event.discardPreviousText) text = "";
    } else {
      const answer = { text, model: event.model, result: event.result, usage: event.usage };
      if (deps.sessions) await recordTurn(deps.sessions, turn, answer, log);
      return { ...answer, sessionId: turn.session.id, attempts: event.attempts };
    }
  }
  // generateAnswer ends with `completed` or throws; reaching here is a bug.
  throw new Error("generation ended without completing");
}
