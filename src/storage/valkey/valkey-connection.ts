import { Valkey } from "iovalkey";
import type { Logger } from "pino";
import { GatewayError } from "../../gateway-error.js";

/** Options of `createValkeyClient`. */
export interface ValkeyClientOptions {
  readonly log: Logger;
  /** Time allowed to connect, in milliseconds. */
  readonly connectTimeoutMs?: number;
}

/**
 * A client for `url` (`redis://` or `rediss://`, with username and password when given) that
 * fails fast while disconnected (no offline queue: a stateful RPC gets `UNAVAILABLE` at once
 * instead of hanging) and reconnects by itself with a capped backoff. Call `connectValkey`.
 */
export function createValkeyClient(url: string, options: ValkeyClientOptions): Valkey {
  const client = new Valkey(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let down = false;
  client.on("error", (error: Error) => {
    // Without a listener iovalkey would print every failed reconnect; log the first only.
    if (!down) options.log.error({ err: error, valkey: redactUrl(url) }, "lost Valkey");
    down = true;
  });
  client.on("ready", () => {
    if (down) options.log.info({ valkey: redactUrl(url) }, "reconnected to Valkey");
    down = false;
  });
  return client;
}

/** Connects and checks the server answers; throws `storage_unavailable` naming Valkey when not. */
export async function connectValkey(client: Valkey, url: string): Promise<void> {
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new GatewayError(
      "storage_unavailable",
      `cannot reach Valkey at ${redactUrl(url)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Runs a Valkey operation and turns a connection or server failure into
 * `GatewayError("storage_unavailable")`; a `GatewayError` passes through.
 */
export async function withValkey<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError(
      "storage_unavailable",
      `Valkey is unavailable (${(error as Error).message}); try again shortly`,
      { cause: error },
    );
  }
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
