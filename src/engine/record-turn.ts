import type { Logger } from "pino";
import type { AnswerResult, UsageRecord } from "../storage/records.js";
import type { SessionStore } from "../storage/session-store.js";
import type { PreparedTurn } from "./prepare-turn.js";

/** The finished answer of a turn. */
export interface FinishedAnswer {
  readonly text: string;
  readonly model: string;
  readonly result: AnswerResult;
  readonly usage: UsageRecord | undefined;
}

/**
 * Appends the user's message and the finished answer to the session, in one atomic append.
 * Called only once an answer has ended: a partial answer is never stored. A session deleted
 * while the answer was generated stays deleted (the turn is dropped and logged).
 */
export async function recordTurn(
  sessions: SessionStore,
  turn: PreparedTurn,
  answer: FinishedAnswer,
  log: Logger,
): Promise<void> {
  const { input, session } = turn;
  const stored = await sessions.appendMessages(input.owner, session.id, [
    { role: "user", text: input.prompt, metadata: input.metadata },
    {
      role: "assistant",
      text: answer.text,
      model: answer.model,
      result: answer.result,
      usage: answer.usage,
      metadata: input.metadata,
    },
  ]);
  if (!stored) log.warn({ sessionId: session.id }, "session vanished before the turn was stored");
}
