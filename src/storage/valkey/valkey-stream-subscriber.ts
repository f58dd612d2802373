import type { Logger } from "pino";
import { duplicateValkeyClient, type ValkeyClient, withValkey } from "./valkey-connection.js";

/** Options of `createStreamSubscriber`. */
export interface StreamSubscriberOptions {
  /** The command connection; the subscriber is its duplicate (same URL and options). */
  readonly client: ValkeyClient;
  readonly tailChannel: string;
  readonly cancelChannel: string;
  /** A stream got an event, an end or was deleted. */
  readonly onTail: (streamId: string) => void;
  /** A stream's cancellation was requested (or it was deleted while running). */
  readonly onCancel: (streamId: string) => void;
  /**
   * The connection dropped or came back: messages may have been lost, so every local reader
   * should re-read (and fail fast with `storage_unavailable` while Valkey is down).
   */
  readonly onGap: () => void;
  readonly log: Logger;
}

/** The one pub/sub connection of a stream store. */
export interface StreamSubscriber {
  /** Connects and subscribes; throws `storage_unavailable` when Valkey cannot be reached. */
  start(): Promise<void>;
  /**
   * Connects in the background: subscribes once the connection is first ready (iovalkey
   * resubscribes by itself after later reconnects) and keeps retrying until then.
   */
  startInBackground(): void;
  close(): Promise<void>;
}

/**
 * Creates the store's subscriber: ONE extra connection per gateway instance, whatever the number
 * of streams and readers. iovalkey resubscribes by itself after a reconnect (`autoResubscribe`,
 * on by default, checked by the tests); `onGap` covers what was published in between. On a
 * Cluster the duplicate is a Cluster client that subscribes on one node it picks (another when
 * that one goes): classic PUBLISH reaches every node, so that one node hears every stream.
 */
export function createStreamSubscriber(options: StreamSubscriberOptions): StreamSubscriber {
  const { tailChannel, cancelChannel, log } = options;
  const subscriber = duplicateValkeyClient(options.client);
  let down = false;
  let closing = false;

  subscriber.on("message", (channel: string, streamId: string) => {
    if (channel === tailChannel) options.onTail(streamId);
    else if (channel === cancelChannel) options.onCancel(streamId);
  });
  // Without an error listener a lost connection would be an unhandled "error" event.
  subscriber.on("error", (error: Error) => {
    if (!down) log.warn({ err: error }, "the Valkey stream subscriber lost its connection");
    down = true;
  });
  subscriber.on("close", () => {
    if (!closing) options.onGap();
  });
  subscriber.on("ready", () => {
    if (down) log.info("the Valkey stream subscriber reconnected");
    down = false;
    options.onGap();
  });

  let subscribed = false;
  async function subscribe(): Promise<void> {
    await subscriber.subscribe(tailChannel, cancelChannel);
    subscribed = true;
  }

  return {
    startInBackground() {
      subscriber.on("ready", () => {
        if (subscribed || closing) return;
        subscribe().catch((error: unknown) => {
          // The connection dropped again; the next "ready" retries.
          log.warn({ err: error }, "the Valkey stream subscriber could not subscribe yet");
        });
      });
      // A failed first attempt rejects, but the retry strategy keeps reconnecting.
      subscriber.connect().catch(() => undefined);
    },
    async start() {
      await withValkey(async () => {
        await subscriber.connect();
        await subscribe();
      });
    },
    async close() {
      closing = true;
      subscriber.disconnect();
    },
  };
}
