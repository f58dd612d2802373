import type { ModelStateStore, RateLimiter } from "./model-state-store.js";
import type { SessionStore } from "./session-store.js";
import type { StreamStore } from "./stream-store.js";

/** Every stateful part of the gateway, from one backend (memory or Valkey). */
export interface Storage {
  readonly sessions: SessionStore;
  readonly streams: StreamStore;
  readonly models: ModelStateStore;
  readonly rateLimits: RateLimiter;
  /** Stops timers and closes connections. */
  close(): Promise<void>;
}
