import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/gateway-config.js";
import { GatewayError } from "../gateway-error.js";
import { createMemoryStorage } from "./memory/memory-storage.js";
import type { Storage } from "./storage.js";
import type { ValkeyTlsOptions } from "./valkey/valkey-connection.js";
import { createValkeyStorage } from "./valkey/valkey-storage.js";

/** What the storage is built with besides the configuration. */
export interface CreateStorageOptions {
  readonly log: Logger;
  /** The clock for logical expiry, epoch ms. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * Builds the configured storage backend: memory for one instance, or Valkey shared by many
 * (one server or a Cluster, over TLS with a private CA when configured). With Valkey it reads
 * the CA file and connects first, and throws `GatewayError("storage_unavailable")` when the CA
 * cannot be read or the server cannot be reached (naming the redacted URL): the gateway then
 * refuses to start, unless `storage.whenUnavailable` is "stateless" (then an unreachable
 * server is logged and retried in the background).
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
  const { storage } = config;
  if (storage.type === "memory") {
    return createMemoryStorage({
      ...common,
      maxRetainedBytes: config.streaming.maxRetainedBytes,
      maxSessions: config.sessions.maxSessions,
    });
  }
  // With Valkey, retained streams live in Valkey's memory: its own `maxmemory` bounds them.
  return createValkeyStorage({
    ...common,
    url: storage.url,
    keyPrefix: storage.keyPrefix,
    streamLeaseMs: storage.streamLeaseMs,
    streamCommitIntervalMs: config.streaming.commitIntervalMs,
    tls: await readTlsOptions(storage.tlsCaPath, storage.tlsServername),
    cluster: storage.cluster,
    instanceId: randomUUID(),
    connectInBackground: storage.whenUnavailable === "stateless",
    log: options.log.child({ component: "valkey" }),
  });
}

async function readTlsOptions(
  caPath: string | undefined,
  servername: string | undefined,
): Promise<ValkeyTlsOptions | undefined> {
  if (caPath === undefined && servername === undefined) return undefined;
  if (caPath === undefined) return { servername };
  try {
    return { ca: await readFile(caPath), servername };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new GatewayError(
      "storage_unavailable",
      `cannot read the Valkey CA file ${caPath} (storage.tls.ca): ${reason}`,
      { cause: error },
    );
  }
}
