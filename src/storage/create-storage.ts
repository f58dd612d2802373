import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/gateway-config.js";
import { createMemoryStorage } from "./memory/memory-storage.js";
import type { Storage } from "./storage.js";
import { createValkeyStorage } from "./valkey/valkey-storage.js";

/** What the storage is built with besides the configuration. */
export interface CreateStorageOptions {
  readonly log: Logger;
  /** The clock for logical expiry, epoch ms. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * Builds the configured storage backend: memory for one instance, or Valkey shared by many.
 * With Valkey it connects first and throws `GatewayError("storage_unavailable")`, naming the
 * (redacted) URL, when the server cannot be reached: the gateway then refuses to start.
 */
export async function createStorage(
  config: GatewayConfig,
  options: CreateStorageOptions,
): Promise<Storage> {
  const now = options.now ?? Date.now;
  const common = {
    sessionTtlMs: config.sessions.ttlMs,
    streamRetentionMs: config.streaming.retentionMs,
    maxRetainedStreams: config.streaming.maxRetainedStreams,
    maxEventsPerStream: config.streaming.maxEventsPerStream,
    now,
  };
  if (config.storage.type === "memory") return createMemoryStorage(common);
  return createValkeyStorage({
    ...common,
    url: config.storage.url,
    keyPrefix: config.storage.keyPrefix,
    streamLeaseMs: config.storage.streamLeaseMs,
    instanceId: randomUUID(),
    log: options.log.child({ component: "valkey" }),
  });
}
