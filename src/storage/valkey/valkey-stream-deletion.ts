import type { ValkeyKeys } from "./valkey-keys.js";
import type { StreamRetention } from "./valkey-stream-retention.js";
import { execPipeline, type ValkeyStreamClient } from "./valkey-stream-scripts.js";

/** What `deleteSessionStreams` works with. */
export interface StreamDeletionContext {
  readonly scripts: ValkeyStreamClient;
  readonly keys: ValkeyKeys;
  readonly retention: StreamRetention;
  /** How long a deleted stream's tombstone stays, in milliseconds. */
  readonly tombstoneTtlMs: number;
}

/**
 * Deletes every stream of the owner's session and returns the ids deleted. Each stream's script
 * leaves a tombstone and PUBLISHes, so that readers on every instance end with "deleted with its
 * session", and asks a running stream's producer to stop (cancel channel). 3 round trips: the
 * session's stream set; one script per stream plus the latest-stream pointer; then the set, the
 * pointer and the retention index (other hash tags, not atomic with the scripts).
 */
export async function deleteSessionStreams(
  context: StreamDeletionContext,
  owner: string,
  sessionId: string,
): Promise<string[]> {
  const { scripts, keys } = context;
  const streamIds = await scripts.client.smembers(keys.sessionStreams(sessionId));
  if (streamIds.length === 0) return [];
  const pipeline = scripts.pipeline();
  for (const id of streamIds) {
    pipeline.sbStreamDelete(
      keys.stream(id),
      keys.streamEvents(id),
      keys.streamLease(id),
      owner,
      context.tombstoneTtlMs,
      keys.streamTailChannel(),
      keys.streamCancelChannel(),
      id,
    );
  }
  pipeline.get(keys.sessionLatestStream(sessionId));
  const replies = await execPipeline(pipeline);
  const deleted = streamIds.filter((_, index) => replies[index] === 1);
  if (deleted.length === 0) return [];
  const cleanup = scripts.pipeline();
  cleanup.srem(keys.sessionStreams(sessionId), ...deleted);
  const latest = replies[streamIds.length];
  if (typeof latest === "string" && deleted.includes(latest)) {
    cleanup.del(keys.sessionLatestStream(sessionId));
  }
  context.retention.queueForget(cleanup, deleted);
  await execPipeline(cleanup);
  return deleted;
}
