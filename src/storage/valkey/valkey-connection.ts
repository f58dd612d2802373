import type { ConnectionOptions } from "node:tls";
import { Cluster, Valkey } from "iovalkey";
import type { Logger } from "pino";
import { GatewayError } from "../../gateway-error.js";

/**
 * A connection to one Valkey server, or a Valkey Cluster client that routes each command to
 * the node owning its key's slot. Both have the same commands; the stores use either.
 */
export type ValkeyClient = Valkey | Cluster;

/** How a `rediss://` connection checks the server's certificate. */
export interface ValkeyTlsOptions {
  /** PEM of the CA(s) to trust instead of the system's, for a private CA. */
  readonly ca?: string | Buffer | undefined;
  /** Name the certificate must be for, when it is not the URL's host (e.g. an IP address). */
  readonly servername?: string | undefined;
}

/** Options of `createValkeyClient` and `createValkeyClusterClient`. */
export interface ValkeyClientOptions {
  readonly log: Logger;
  /** Time allowed to connect, in milliseconds. Default 5 000. */
  readonly connectTimeoutMs?: number;
  /** Certificate checks of a `rediss://` URL; `undefined`: the system's CAs and the URL's host. */
  readonly tls?: ValkeyTlsOptions | undefined;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Reconnect backoff: 200 ms more per attempt, 2 s at most. */
function backoffMs(attempt: number): number {
  return Math.min(attempt * 200, 2_000);
}

/**
 * A client for `url` (`redis://` or `rediss://`, with username and password when given: an
 * ACL user as `redis://user:password@host`, the `requirepass` password as
 * `redis://:password@host`) that fails fast while disconnected (no offline queue: a stateful
 * RPC gets `UNAVAILABLE` at once instead of hanging) and reconnects by itself with a capped
 * backoff. Call `connectValkey`. Throws when `tls` is given for a plain `redis://` URL (it
 * would be ignored).
 */
export function createValkeyClient(url: string, options: ValkeyClientOptions): Valkey {
  const tls = tlsOptions(url, options.tls);
  const client = new Valkey(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    retryStrategy: backoffMs,
    // Explicit options win over the `tls: true` that iovalkey derives from rediss://.
    ...(tls === undefined ? {} : { tls }),
  });
  watchConnection(client, url, options.log);
  return client;
}

/**
 * A Valkey Cluster client seeded with the node `url` names (any node: the client learns the
 * others from it), with the behaviour of `createValkeyClient`. The URL's credentials and TLS go
 * into `redisOptions`, so that they apply to the nodes it discovers too, not only to the seed
 * (iovalkey reads a seed URL's for that node alone). Cluster mode has database 0 only.
 */
export function createValkeyClusterClient(url: string, options: ValkeyClientOptions): Cluster {
  const tls = tlsOptions(url, options.tls);
  const parsed = new URL(url);
  const seed = {
    host: parsed.hostname.replace(/^\[|\]$/g, ""),
    port: parsed.port === "" ? 6379 : Number(parsed.port),
  };
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const client = new Cluster([seed], {
    lazyConnect: true,
    enableOfflineQueue: false,
    // Commands of one tick to one node share a write: a batch spread over the nodes (see
    // valkey-pipeline.ts) still costs about one round trip.
    enableAutoPipelining: true,
    clusterRetryStrategy: backoffMs,
    redisOptions: {
      ...(username === "" ? {} : { username }),
      ...(password === "" ? {} : { password }),
      ...(tls === undefined ? {} : { tls }),
      connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
    },
  });
  watchConnection(client, url, options.log);
  return client;
}

/** The TLS connection options of `url`: undefined for redis://, never for rediss://. */
function tlsOptions(url: string, tls: ValkeyTlsOptions | undefined): ConnectionOptions | undefined {
  if (new URL(url).protocol !== "rediss:") {
    if (tls !== undefined) throw new Error("Valkey TLS options need a rediss:// URL");
    return undefined;
  }
  return {
    ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls?.servername === undefined ? {} : { servername: tls.servername }),
  };
}

/** Logs the first failure of an outage and the recovery, never every reconnect attempt. */
function watchConnection(client: ValkeyClient, url: string, log: Logger): void {
  let down = false;
  client.on("error", (error: Error) => {
    // Without a listener iovalkey would print every failed reconnect.
    if (!down) log.error({ err: error, valkey: redactUrl(url) }, "lost Valkey");
    down = true;
  });
  client.on("ready", () => {
    if (down) log.info({ valkey: redactUrl(url) }, "reconnected to Valkey");
    down = false;
  });
}

/** A second client like `client` (same URL and options), not connected yet. */
export function duplicateValkeyClient(client: ValkeyClient): ValkeyClient {
  return client instanceof Cluster
    ? client.duplicate([], { lazyConnect: true })
    : client.duplicate({ lazyConnect: true });
}

/**
 * Connects and checks the server answers. Resolves with the failure (the server's own reason
 * when it gave one, e.g. WRONGPASS, not only "Connection is closed"), or undefined on success;
 * the client keeps its reconnect strategy either way.
 */
export async function tryConnectValkey(client: ValkeyClient): Promise<Error | undefined> {
  let reason: Error | undefined;
  const onError = (error: Error) => {
    reason ??= error;
  };
  client.on("error", onError);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return reason ?? (error as Error);
  } finally {
    client.off("error", onError);
  }
}

/**
 * Connects and checks the server answers; throws `storage_unavailable` naming Valkey (and the
 * URL without its password) when not, and drops the client.
 */
export async function connectValkey(client: ValkeyClient, url: string): Promise<void> {
  const failure = await tryConnectValkey(client);
  if (failure === undefined) return;
  client.disconnect();
  throw new GatewayError(
    "storage_unavailable",
    `cannot reach Valkey at ${redactUrl(url)}: ${describeFailure(failure)}`,
    { cause: failure },
  );
}

/**
 * The message of a connection failure. A Cluster client's only says that no node answered
 * ("Failed to refresh slots cache."); the last node's error (e.g. WRONGPASS) says why.
 */
function describeFailure(error: Error): string {
  const lastNodeError: unknown = Reflect.get(error, "lastNodeError");
  return lastNodeError instanceof Error
    ? `${error.message} ${lastNodeError.message}`
    : error.message;
}

/**
 * Runs a Valkey operation and turns a connection or server failure into
 * `GatewayError("storage_unavailable")`; a `GatewayError` passes through.
 */
export async function withValkey<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStorageError(error);
  }
}

/**
 * A Valkey failure as `withValkey` reports it: a `GatewayError` as it is, anything else (a
 * connection or server failure) as `storage_unavailable`.
 */
export function toStorageError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError(
    "storage_unavailable",
    `Valkey is unavailable (${(error as Error).message}); try again shortly`,
    { cause: error },
  );
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid Valkey URL)";
  }
}
