import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { StreamingConfig } from "../config/gateway-config.js";
import { GatewayError } from "../gateway-error.js";
import type { StreamEnd } from "../storage/records.js";
import type { SessionStore } from "../storage/session-store.js";
import type { StreamStore } from "../storage/stream-store.js";
import { createDeadline } from "./deadline.js";
import { type GenerationDeps, generateAnswer } from "./generate-answer.js";
import type { PreparedTurn } from "./prepare-turn.js";
import { recordTurn } from "./record-turn.js";

/** Options of `createStreamGenerations`. */
export interface StreamGenerationsOptions {
  readonly streams: StreamStore;
  readonly sessions: SessionStore;
  readonly generation: GenerationDeps;
  readonly streaming: StreamingConfig;
  readonly log: Logger;
}

/** A generation started by `StreamGenerations.start`. */
export interface StartedGeneration {
  readonly streamId: string;
  /**
   * Gives up a generation that nobody can ever read: cancels it (its upstream request is
   * aborted) if it still runs, then deletes the session of its turn with its streams, so that
   * the turn is not kept whatever the generation had reached. Only for a turn whose session was
   * created for it. Idempotent; never throws (a storage failure is logged).
   */
  abandon(): void;
}

/** Runs generations detached from the RPCs that started them. */
export interface StreamGenerations {
  /**
   * Registers a stream, appends its `started` event and starts generating in the background.
   * Returns once `started` is readable. `release` is called exactly once, when the generation
   * has ended in any way (registration failures included).
   */
  start(turn: PreparedTurn, log: Logger, release: () => void): Promise<StartedGeneration>;
  /** Generations running in this process. */
  running(): number;
  /**
   * Waits for running generations to finish, up to `graceMs`; then stops the rest, whose
   * readers get `UNAVAILABLE` ("the gateway instance shut down").
   */
  drain(graceMs: number): Promise<void>;
}

const canceledByRequest = new GatewayError("canceled", "the stream was canceled by CancelStream");
const abandonedByClient = new GatewayError(
  "canceled",
  "the client left before its first event, and nobody else can resume the stream",
);

/**
 * Detached generation (DESIGN §2 "Resumable streams"): every event goes to the stream store and
 * clients read it from there, so a client that disconnects loses nothing and any number of
 * readers see the same events. A generation ends after `streaming.maxDurationMs` at the latest.
 */
export function createStreamGenerations(options: StreamGenerationsOptions): StreamGenerations {
  const { streams, sessions, streaming } = options;
  const active = new Map<string, { stop: (reason: GatewayError) => void; done: Promise<void> }>();

  async function run(
    streamId: string,
    turn: PreparedTurn,
    signal: AbortSignal,
    log: Logger,
    registered: Promise<void>,
  ) {
    let text = "";
    for await (const event of generateAnswer(
      turn.request,
      { ...options.generation, log },
      signal,
    )) {
      if (event.type === "delta") text += event.text;
      else if (event.type === "model_switched" && event.discardPreviousText) text = "";
      else if (event.type === "completed") {
        // Stored before `completed` is visible, so a client that sends its next prompt as soon
        // as it reads `completed` finds this turn in the history.
        const answer = { text, model: event.model, result: event.result, usage: event.usage };
        await recordTurn(sessions, turn, answer, log);
      }
      await registered;
      await streams.appendEvent(streamId, event);
    }
  }

  async function finish(streamId: string, end: StreamEnd, log: Logger) {
    try {
      await streams.endStream(streamId, end);
    } catch (error) {
      log.error({ err: error, streamId }, "could not record the end of a stream");
    }
  }

  /** Deletes an abandoned turn's session and its streams (the turn with them, if stored). */
  async function forget(turn: PreparedTurn, log: Logger) {
    const { owner } = turn.input;
    try {
      await sessions.deleteSession(owner, turn.session.id);
      await streams.deleteSessionStreams(owner, turn.session.id);
    } catch (error) {
      log.warn({ err: error }, "could not delete the session of an abandoned stream");
    }
  }

  return {
    async start(turn, parentLog, release) {
      const streamId = randomUUID();
      const log = parentLog.child({ streamId });
      const { session, request } = turn;
      const stopper = new AbortController();
      let unsubscribe: (() => void) | undefined;
      let registrationFailed = false;
      const registered = (async () => {
        await streams.createStream({ streamId, sessionId: session.id, owner: turn.input.owner });
        await streams.appendEvent(streamId, {
          type: "started",
          sessionId: session.id,
          streamId,
          model: request.route[0]?.id ?? "",
        });
        unsubscribe = streams.onCancelRequested(streamId, () => stopper.abort(canceledByRequest));
      })();
      const deadline = createDeadline(
        stopper.signal,
        streaming.maxDurationMs,
        `the generation ran longer than streaming.maxDuration (${streaming.maxDurationMs} ms)`,
      );
      // The generation (model admission, the upstream request) starts while the stream is being
      // registered: with Valkey, registration's round trips then overlap the wait for the first
      // token instead of adding to it. Events are appended only once registration is done.
      // `settled` is set where `abandoned` is read: an abandon before that point stops the
      // generation and leaves forgetting the turn to the chain; one after it forgets by itself.
      let settled = false;
      let abandoned = false;
      const done = run(streamId, turn, deadline.signal, log, registered)
        .then(() => finish(streamId, { state: "completed" }, log))
        .catch((error: unknown) => {
          if (registrationFailed) return;
          const reason: unknown = deadline.signal.reason;
          if (reason === canceledByRequest || reason === abandonedByClient) {
            return finish(streamId, { state: "canceled" }, log);
          }
          const failure = toGatewayError(error, log);
          log.info({ code: failure.code }, "stream generation failed");
          return finish(streamId, { state: "failed", error: failure.toData() }, log);
        })
        .then(() => {
          settled = true;
          if (abandoned) return forget(turn, log);
        })
        .finally(() => {
          deadline.dispose();
          unsubscribe?.();
          active.delete(streamId);
          release();
        });
      active.set(streamId, { stop: (reason) => stopper.abort(reason), done });
      try {
        await registered;
      } catch (error) {
        // No stream exists to report to: stop the generation and fail the RPC instead.
        registrationFailed = true;
        stopper.abort(error);
        throw error;
      }
      return {
        streamId,
        abandon() {
          if (abandoned) return;
          abandoned = true;
          log.info("the client left before its first event: canceling a stream nobody can resume");
          if (settled) void forget(turn, log);
          else stopper.abort(abandonedByClient);
        },
      };
    },

    running: () => active.size,

    async drain(graceMs) {
      const all = () => Promise.all([...active.values()].map((generation) => generation.done));
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      const outcome = await Promise.race([all(), graceOver]);
      clearTimeout(timer);
      if (outcome !== "timeout") return;
      const shutDown = new GatewayError(
        "unavailable",
        "the gateway instance shut down before the answer finished; send the prompt again",
      );
      for (const generation of active.values()) generation.stop(shutDown);
      await all();
    },
  };
}

function toGatewayError(error: unknown, log: Logger): GatewayError {
  if (error instanceof GatewayError) return error;
  log.error({ err: error }, "stream generation failed with an unexpected error");
  return new GatewayError("internal", "internal error", { cause: error });
}
