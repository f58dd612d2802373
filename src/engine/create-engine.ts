import type { Logger } from "pino";
import type { GatewayConfig } from "../config/gateway-config.js";
import { GatewayError } from "../gateway-error.js";
import type { ChatProvider } from "../providers/chat-provider.js";
import { createSecretRegistry, type SecretRedactor } from "../secrets/secret-registry.js";
import type { StreamRead, StreamState } from "../storage/records.js";
import type { SessionStore } from "../storage/session-store.js";
import type { Storage } from "../storage/storage.js";
import { answerPrompt, type PromptAnswer } from "./answer-prompt.js";
import { createDeadline } from "./deadline.js";
import { countStatelessPrompt } from "./degraded-counters.js";
import type { GenerationDeps } from "./generate-answer.js";
import { createGenerationSlots } from "./generation-slots.js";
import { listModelStatuses, type ModelStatus } from "./model-catalog.js";
import {
  type PreparedTurn,
  type PrepareTurnDeps,
  prepareTurn,
  prepareUnstoredTurn,
  sessionNotFound,
} from "./prepare-turn.js";
import type { PromptInput } from "./prompt-input.js";
import { decodeResumeToken, encodeResumeToken, isStreamId } from "./resume-token.js";
import { createSessionOperations, type SessionOperations } from "./session-operations.js";
import {
  failOpenModelStates,
  failOpenRateLimits,
  isStorageUnavailable,
} from "./stateless-fallback.js";
import { createStreamGenerations } from "./stream-generations.js";
import { assertSessionId } from "./validate-prompt.js";

/** A `StreamPrompt` as the engine receives it. */
export interface StreamInput extends PromptInput {
  readonly resumeToken: string;
  readonly resumeLatest: boolean;
}

/** A stream opened for one RPC: its events after the caller's position, then its end. */
export interface OpenedStream {
  readonly sessionId: string;
  readonly streamId: string;
  /** True when an existing stream is being resumed rather than a new one started. */
  readonly resumed: boolean;
  /**
   * The events after the caller's position, then the end. Throws `not_found` for a stream
   * gone before the first read, and `out_of_range` when the position is past the stream's last
   * event.
   */
  readonly reads: AsyncIterable<StreamRead>;
  /**
   * Says that the RPC's client left before any event was written to it. When this RPC started
   * the generation in a new session (no `session_id`), nobody can ever resume it: the
   * generation is canceled (its upstream request aborted) and the new session is deleted with
   * its stream, so no turn is stored. Otherwise it does nothing: the generation runs on for
   * the clients that can resume it. Never throws.
   */
  abandon(): void;
}

/** The gateway's engine: everything behind the RPCs, free of any wire format. */
export interface Engine {
  /**
   * One complete answer; stores the turn. Without a session and with
   * `storage.whenUnavailable: "stateless"`, a storage outage does not fail it: the answer is
   * not stored (empty `sessionId`), models are admitted as ready and rate limits fail open.
   * Throws `resource_exhausted` (with a retry delay) when `server.maxConcurrentGenerations`
   * answers are being generated already.
   */
  prompt(input: PromptInput, signal: AbortSignal, log: Logger): Promise<PromptAnswer>;
  /**
   * Starts a detached generation, or resumes one, and returns its events from the caller's
   * position. A new generation takes one of `server.maxConcurrentGenerations` slots until it
   * ends; when none is free it throws `resource_exhausted` (with a retry delay) before storing
   * anything or calling a provider.
   */
  streamPrompt(input: StreamInput, signal: AbortSignal, log: Logger): Promise<OpenedStream>;
  /**
   * Stops a running generation named by id or by any of its resume tokens. Throws
   * `invalid_argument` for a malformed id or token, `not_found` for an unknown stream.
   */
  cancelStream(
    owner: string,
    target: { readonly streamId: string; readonly resumeToken: string },
  ): Promise<{ streamId: string; state: StreamState }>;
  readonly sessions: SessionOperations;
  listModels(): Promise<ModelStatus[]>;
  /** Lets running generations finish for up to `graceMs`, then stops them. */
  drain(graceMs: number): Promise<void>;
  /** Encodes the resume token of an event. */
  resumeToken(streamId: string, sequence: number): string;
}

/** What the engine is built from. */
export interface EngineOptions {
  readonly config: GatewayConfig;
  readonly providers: ReadonlyMap<string, ChatProvider>;
  readonly storage: Storage;
  readonly log: Logger;
  /** Clock, epoch ms; injectable for cooldown maths in tests. */
  readonly now?: () => number;
  /** Source of backoff jitter in [0, 1). */
  readonly random?: () => number;
  /** Replaces configured secrets in failure reasons. Default: none (providers' patterns only). */
  readonly secrets?: SecretRedactor;
}

/** Builds the engine. It owns no timers of its own beyond running generations. */
export function createEngine(options: EngineOptions): Engine {
  const { config, storage, log } = options;
  const now = options.now ?? Date.now;
  const generation: GenerationDeps = {
    providers: options.providers,
    modelStates: storage.models,
    rateLimits: storage.rateLimits,
    retry: config.retry,
    restore: config.restore,
    timeouts: config.timeouts,
    midStreamFailure: config.streaming.midStreamFailure,
    log,
    now,
    random: options.random ?? Math.random,
    secrets: options.secrets ?? createSecretRegistry(),
  };
  const turnDeps: PrepareTurnDeps = {
    sessions: storage.sessions,
    models: config.models,
    limits: { maxPromptChars: config.server.maxPromptChars },
    historyWindow: {
      maxMessages: config.sessions.historyMaxMessages,
      maxChars: config.sessions.historyMaxChars,
    },
  };
  // Only a Prompt without a session may be answered while Valkey is down, and only if configured.
  const statelessAllowed =
    config.storage.type === "valkey" && config.storage.whenUnavailable === "stateless";
  const slots = createGenerationSlots(config.server.maxConcurrentGenerations);
  const generations = createStreamGenerations({
    streams: storage.streams,
    sessions: storage.sessions,
    generation,
    streaming: config.streaming,
    log,
  });

  async function ownedStream(owner: string, streamId: string) {
    const stream = await storage.streams.getStream(streamId);
    return stream && stream.owner === owner ? stream : undefined;
  }

  /** The stream a `StreamPrompt` reads, and from where: resumed, replayed, or fresh. */
  async function locateStream(input: StreamInput, requestLog: Logger): Promise<StreamTarget> {
    if (input.resumeToken !== "") {
      const position = decodeResumeToken(input.resumeToken);
      const stream = await ownedStream(input.owner, position.streamId);
      if (stream) {
        const { sessionId, streamId } = stream;
        return { sessionId, streamId, resumed: true, afterSequence: position.sequence };
      }
      if (input.prompt === "") {
        throw new GatewayError(
          "not_found",
          "the stream of resume_token is unknown or past its retention window; send the prompt again",
        );
      }
    } else if (input.resumeLatest) {
      if (input.sessionId === "") {
        throw new GatewayError(
          "invalid_argument",
          "resume_latest needs the session_id whose latest stream to replay",
        );
      }
      assertSessionId(input.sessionId);
      const streamId = await storage.streams.latestStream(input.owner, input.sessionId);
      if (streamId)
        return { sessionId: input.sessionId, streamId, resumed: true, afterSequence: 0 };
      if (input.prompt === "") {
        if (!(await storage.sessions.getSession(input.owner, input.sessionId))) {
          throw sessionNotFound(input.sessionId);
        }
        throw new GatewayError(
          "not_found",
          `session ${input.sessionId} has no retained stream to replay`,
        );
      }
    }
    // No stream to resume and a prompt to answer: a fresh generation, if a slot is free.
    const release = slots.acquire();
    let turn: PreparedTurn;
    try {
      turn = await prepareTurn(input, turnDeps);
    } catch (error) {
      release();
      throw error;
    }
    const started = await generations.start(turn, requestLog, release);
    return {
      sessionId: turn.session.id,
      streamId: started.streamId,
      resumed: false,
      afterSequence: 0,
      // Without a session_id the client learns the new session only from the stream's events.
      abandon: input.sessionId === "" ? started.abandon : undefined,
    };
  }

  /** `prompt` once its generation slot is taken. */
  async function answerWithSlot(
    input: PromptInput,
    signal: AbortSignal,
    requestLog: Logger,
  ): Promise<PromptAnswer> {
    const stateless = statelessAllowed && input.sessionId === "";
    let turn: PreparedTurn;
    let sessions: SessionStore | undefined = storage.sessions;
    try {
      turn = await prepareTurn(input, turnDeps);
    } catch (error) {
      if (!stateless || !isStorageUnavailable(error)) throw error;
      turn = prepareUnstoredTurn(input, turnDeps, now());
      sessions = undefined;
      requestLog.warn(
        { err: error, ...countStatelessPrompt() },
        "storage unavailable: answering without a session (storage.whenUnavailable: stateless)",
      );
    }
    const deadline = createDeadline(
      signal,
      config.timeouts.totalMs,
      `no answer within timeouts.total (${config.timeouts.totalMs} ms)`,
    );
    try {
      const deps = stateless
        ? {
            ...generation,
            modelStates: failOpenModelStates(storage.models, requestLog),
            rateLimits: failOpenRateLimits(storage.rateLimits, requestLog),
          }
        : generation;
      return await answerPrompt(turn, { ...deps, sessions }, deadline.signal, requestLog);
    } finally {
      deadline.dispose();
    }
  }

  return {
    async prompt(input, signal, requestLog) {
      const release = slots.acquire();
      try {
        return await answerWithSlot(input, signal, requestLog);
      } finally {
        release();
      }
    },

    async streamPrompt(input, signal, requestLog) {
      const target = await locateStream(input, requestLog);
      return {
        sessionId: target.sessionId,
        streamId: target.streamId,
        resumed: target.resumed,
        reads: storage.streams.readStream(target.streamId, target.afterSequence, signal),
        abandon: target.abandon ?? doNothing,
      };
    },

    async cancelStream(owner, target) {
      if (target.streamId === "" && target.resumeToken === "") {
        throw new GatewayError(
          "invalid_argument",
          "name the stream to cancel with stream_id or resume_token",
        );
      }
      const streamId =
        target.streamId !== "" ? target.streamId : decodeResumeToken(target.resumeToken).streamId;
      if (!isStreamId(streamId)) {
        throw new GatewayError(
          "invalid_argument",
          `stream_id "${streamId.slice(0, 64)}" is not a valid stream id: pass StreamStarted.stream_id as the gateway sent it`,
        );
      }
      const stream = await ownedStream(owner, streamId);
      const state = stream ? await storage.streams.requestCancel(streamId) : undefined;
      if (!state) {
        throw new GatewayError(
          "not_found",
          `stream ${streamId} is unknown or past its retention window`,
        );
      }
      return { streamId, state };
    },

    sessions: createSessionOperations(storage.sessions, storage.streams, {
      maxMessageChars: config.server.maxPromptChars,
    }),

    listModels: () => listModelStatuses(config.models, storage.models, storage.rateLimits, now()),

    drain: (graceMs) => generations.drain(graceMs),

    resumeToken: (streamId, sequence) => encodeResumeToken({ streamId, sequence }),
  };
}

/** Which stream a `StreamPrompt` reads and the sequence after which it starts. */
interface StreamTarget {
  readonly sessionId: string;
  readonly streamId: string;
  readonly resumed: boolean;
  readonly afterSequence: number;
  /** Set for a generation this RPC started in a new session: see `OpenedStream.abandon`. */
  readonly abandon?: (() => void) | undefined;
}

function doNothing(): void {}
