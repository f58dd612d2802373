import type { GatewayConfig } from "../config/gateway-config.js";
import { GatewayError } from "../gateway-error.js";
import { createMemoryStorage } from "./memory/memory-storage.js";
import type { Storage } from "./storage.js";

/** Builds the configured storage backend; `now` is its clock (epoch ms). */
export function createStorage(config: GatewayConfig, now: () => number = Date.now): Storage {
  if (config.storage.type === "valkey") {
    // Shared state in Valkey is tracked as its own capability; refuse rather than pretend.
    throw new GatewayError(
      "invalid_argument",
      "storage.type valkey is not supported by this build yet; use { type: memory }",
    );
  }
  return createMemoryStorage({
    sessionTtlMs: config.sessions.ttlMs,
    streamRetentionMs: config.streaming.retentionMs,
    maxRetainedStreams: config.streaming.maxRetainedStreams,
    maxEventsPerStream: config.streaming.maxEventsPerStream,
    now,
  });
}
