import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Storage } from "../storage.js";
import {
  connectValkey,
  createValkeyClient,
  createValkeyClusterClient,
  redactUrl,
  tryConnectValkey,
  type ValkeyClient,
  type ValkeyTlsOptions,
  withValkey,
} from "./valkey-connection.js";
import { createValkeyKeys } from "./valkey-keys.js";
import { createValkeyModelStateStore } from "./valkey-model-state-store.js";
import { createValkeyRateLimiter } from "./valkey-rate-limiter.js";
import { createValkeySessionStore } from "./valkey-session-store.js";
import { createValkeyStreamStore } from "./valkey-stream-store.js";

/** Default producer lease of a stream, in milliseconds. */
export const DEFAULT_STREAM_LEASE_MS = 5_000;

/** Default longest wait of a stream event for its commit, in milliseconds. */
export const DEFAULT_STREAM_COMMIT_INTERVAL_MS = 50;

/** Options of `createValkeyStorage`. */
export interface ValkeyStorageOptions {
  /**
   * `redis://` or `rediss://` URL, with credentials when needed: `redis://user:password@host`
   * for an ACL user, `redis://:password@host` for `requirepass`. With `cluster`, one seed node.
   */
  readonly url: string;
  /** Certificate checks of a `rediss://` URL (a private CA). Default: the system's CAs. */
  readonly tls?: ValkeyTlsOptions | undefined;
  /** `url` is a node of a Valkey Cluster. Default false. */
  readonly cluster?: boolean | undefined;
  /** Prefix of every key and channel, e.g. "switchboard:"; instances that share state share it. */
  readonly keyPrefix: string;
  /** Inactivity after which a session and its history are gone, in milliseconds. */
  readonly sessionTtlMs: number;
  /** How long an ended stream stays readable, in milliseconds. */
  readonly streamRetentionMs: number;
  /** Streams kept at most; the earliest-ended are evicted first, running ones never. */
  readonly maxRetainedStreams: number;
  /** Events per stream at most; one more is `resource_exhausted`. */
  readonly maxEventsPerStream: number;
  /** Producer lease (heartbeat) of a running stream, in milliseconds. Default 5 000. */
  readonly streamLeaseMs?: number | undefined;
  /**
   * Longest wait of an appended stream event for its commit with the next ones, in
   * milliseconds; 0 commits each event alone. Default 50.
   */
  readonly streamCommitIntervalMs?: number | undefined;
  /** The clock that judges logical expiry, epoch milliseconds. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
  readonly log: Logger;
  /** This instance's id in stream leases. Default a random UUID. */
  readonly instanceId?: string | undefined;
  /**
   * Start even when Valkey cannot be reached: log the failure (with the redacted URL) and keep
   * reconnecting in the background; operations fail `storage_unavailable` until it answers.
   * Default false: the first connection must succeed.
   */
  readonly connectInBackground?: boolean | undefined;
}

/** The Valkey storage, with the hooks the contract suite and operators need. */
export interface ValkeyStorage extends Storage {
  /** Stream readers waiting on this instance. */
  waitingReaders(): number;
  /**
   * Nothing to do on Valkey: every key carries a PEXPIRE and expiry is judged on read. Kept so
   * that both storages offer the same hooks.
   */
  sweep(): void;
}

/**
 * Connects to Valkey and builds the storage shared by every instance that uses the same
 * server and `keyPrefix`. Throws `GatewayError("storage_unavailable")`, naming the redacted
 * URL, when the server cannot be reached, refuses the credentials or presents a certificate
 * that does not check out (the CLI turns it into a clear message and a non-zero exit).
 * Afterwards a lost connection makes each operation fail with `storage_unavailable` while the
 * client reconnects by itself. `close()` stops the stream store's timers and
 * subscriber, then quits the connection. With `connectInBackground` an unreachable server
 * does not stop the start: it is logged and retried.
 */
export async function createValkeyStorage(options: ValkeyStorageOptions): Promise<ValkeyStorage> {
  const { log } = options;
  const now = options.now ?? Date.now;
  const clientOptions = { log, tls: options.tls };
  const client = options.cluster
    ? createValkeyClusterClient(options.url, clientOptions)
    : createValkeyClient(options.url, clientOptions);
  if (options.connectInBackground) await connectOrKeepTrying(client, options.url, log);
  else await connectValkey(client, options.url);
  const keys = createValkeyKeys(options.keyPrefix);
  const streams = createValkeyStreamStore({
    client,
    keys,
    retentionMs: options.streamRetentionMs,
    maxRetainedStreams: options.maxRetainedStreams,
    maxEventsPerStream: options.maxEventsPerStream,
    leaseMs: options.streamLeaseMs ?? DEFAULT_STREAM_LEASE_MS,
    commitIntervalMs: options.streamCommitIntervalMs ?? DEFAULT_STREAM_COMMIT_INTERVAL_MS,
    instanceId: options.instanceId ?? randomUUID(),
    now,
    log,
  });

  async function quit(): Promise<void> {
    try {
      await client.quit();
    } catch {
      // Already disconnected (Valkey down): dropping the socket and the reconnect timer is all
      // that is left to do.
      client.disconnect();
    }
  }

  try {
    if (options.connectInBackground) streams.startInBackground();
    else await withValkey(() => streams.start());
  } catch (error) {
    await streams.close().catch(() => undefined);
    await quit();
    throw error;
  }

  return {
    sessions: createValkeySessionStore({ client, keys, ttlMs: options.sessionTtlMs, now, log }),
    streams,
    models: createValkeyModelStateStore({ client, keys, log }),
    rateLimits: createValkeyRateLimiter({ client, keys }),
    waitingReaders: () => streams.waitingReaders(),
    sweep() {},
    async close() {
      try {
        await streams.close();
      } finally {
        await quit();
      }
    },
  };
}

/**
 * Tries the first connection once; when it fails, logs it (URL redacted) and returns, leaving
 * the client to reconnect by itself with its retry strategy (unlike `connectValkey`, which
 * drops the client).
 */
async function connectOrKeepTrying(client: ValkeyClient, url: string, log: Logger): Promise<void> {
  const failure = await tryConnectValkey(client);
  if (failure === undefined) return;
  log.error(
    { err: failure, valkey: redactUrl(url) },
    `cannot reach Valkey at ${redactUrl(url)}; starting without it (storage.whenUnavailable: stateless) and retrying in the background`,
  );
}
