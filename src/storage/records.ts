import type { AttemptRecord, GatewayErrorData } from "../gateway-error.js";

/** How an answer ended. */
export type AnswerResult = "complete" | "max_tokens" | "content_filter" | "unknown";

/** Token counts of the attempt that answered. */
export interface UsageRecord {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** A page of a listing. `nextPageToken` is empty on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string;
}

/** Page request. `pageToken` is empty for the first page; an invalid one is `invalid_argument`. */
export interface PageRequest {
  readonly pageSize: number;
  readonly pageToken: string;
}

/** A conversation as stored. Times are epoch milliseconds. */
export interface SessionRecord {
  readonly id: string;
  readonly owner: string;
  readonly system: string;
  readonly title: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly messageCount: number;
  readonly createTimeMs: number;
  readonly updateTimeMs: number;
  readonly expireTimeMs: number;
}

/** A message to store; `createTimeMs` is set by the store. */
export interface NewMessage {
  readonly role: "user" | "assistant";
  readonly text: string;
  readonly model?: string | undefined;
  readonly usage?: UsageRecord | undefined;
  readonly result?: AnswerResult | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
}

/** A stored message. */
export interface MessageRecord extends NewMessage {
  readonly createTimeMs: number;
}

/** One event of a stream as stored; sequences are 1, 2, 3 … with no gaps. */
export type StreamEventPayload =
  | {
      readonly type: "started";
      readonly sessionId: string;
      readonly streamId: string;
      readonly model: string;
    }
  | { readonly type: "delta"; readonly text: string }
  | {
      readonly type: "model_switched";
      readonly fromModel: string;
      readonly toModel: string;
      readonly reason: string;
      readonly discardPreviousText: boolean;
    }
  | {
      readonly type: "completed";
      readonly result: AnswerResult;
      readonly usage: UsageRecord | undefined;
      readonly model: string;
      readonly attempts: readonly AttemptRecord[];
    };

/** A stored event with its position. */
export interface StreamEventRecord {
  readonly sequence: number;
  readonly payload: StreamEventPayload;
}

/** Where a stream's generation stands. */
export type StreamState = "running" | "completed" | "failed" | "canceled";

/** How a stream ended. */
export type StreamEnd =
  | { readonly state: "completed" }
  | { readonly state: "failed"; readonly error: GatewayErrorData }
  | { readonly state: "canceled" };

/** A stream's metadata. */
export interface StreamRecord {
  readonly streamId: string;
  readonly sessionId: string;
  readonly owner: string;
  readonly state: StreamState;
  /** Set once the stream has ended. */
  readonly end: StreamEnd | undefined;
  readonly createTimeMs: number;
  /** Highest sequence appended so far (0 before the first event). */
  readonly lastSequence: number;
}

/** What a reader of a stream receives: events in order, then exactly one `end`. */
export type StreamRead =
  | { readonly kind: "event"; readonly event: StreamEventRecord }
  | { readonly kind: "end"; readonly end: StreamEnd };

/** A model's health as seen by the router. */
export interface ModelHealth {
  readonly state: "ready" | "cooling_down" | "disabled";
  /** When a cooling model may take a probe request, epoch milliseconds. */
  readonly availableAtMs: number | undefined;
  /** The last failure's reason, empty if none. */
  readonly lastError: string;
  /** Consecutive failures since the last success. */
  readonly consecutiveFailures: number;
}

/** The router's answer to "may this request use the model now?". */
export type ModelAdmission =
  | { readonly kind: "ready" }
  /** The cooldown has passed and this request is the one half-open probe. */
  | { readonly kind: "probe" }
  | { readonly kind: "cooling_down"; readonly availableAtMs: number }
  | { readonly kind: "disabled" };

/** A failure to record against a model. */
export interface ModelFailure {
  /** Safe, short reason shown in `ListModels.last_error`. */
  readonly reason: string;
  /** Cooldown after the first consecutive failure, in milliseconds; doubles with each further one. */
  readonly cooldownMs: number;
  /** Upper bound of the doubled cooldown, in milliseconds. */
  readonly maxCooldownMs: number;
  /** The provider's `Retry-After`, in milliseconds; wins over the computed cooldown. */
  readonly retryAfterMs: number | undefined;
  /** Disable the model instead of cooling it down (wrong credentials). */
  readonly disable: boolean;
}

/** The result of taking one request from a rate limit. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** When the window resets, in milliseconds from now; 0 when allowed. */
  readonly retryAfterMs: number;
}
