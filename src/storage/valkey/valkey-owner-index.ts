import type { SessionsCursor } from "../page-token.js";
import type { ValkeyClient } from "./valkey-connection.js";

/**
 * Walks an owner's session index (a sorted set scored by update time) most recently updated
 * first, ties by id ascending — the order of every session listing — starting at score
 * `fromScore` (inclusive; all when undefined). Yields chunks of about `batchSize` entries, each
 * holding whole groups of equal score (sorted sets order ties by member descending, so a group
 * is sorted here and never split across two chunks). One ZREVRANGEBYSCORE per chunk.
 *
 * Each next chunk restarts at the last, incomplete score group by score rather than by offset,
 * so a session updated meanwhile (it moves above `fromScore`) is never yielded twice and never
 * shifts the others out of the walk.
 */
export async function* walkOwnerIndex(
  client: ValkeyClient,
  key: string,
  fromScore: number | undefined,
  batchSize: number,
): AsyncGenerator<SessionsCursor[]> {
  let max = fromScore === undefined ? "+inf" : String(fromScore);
  let count = batchSize;
  for (;;) {
    const reply = await client.zrevrangebyscore(key, max, "-inf", "WITHSCORES", "LIMIT", 0, count);
    const entries = pairEntries(reply);
    const last = entries.at(-1);
    if (entries.length < count || last === undefined) {
      if (entries.length > 0) yield sortGroups(entries);
      return;
    }
    const complete = entries.filter((entry) => entry.updateTimeMs !== last.updateTimeMs);
    if (complete.length === 0) {
      // One score group fills the whole batch: fetch more of it at once.
      count *= 2;
      continue;
    }
    yield sortGroups(complete);
    max = String(last.updateTimeMs);
    count = batchSize;
  }
}

function pairEntries(reply: readonly string[]): SessionsCursor[] {
  const entries: SessionsCursor[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const id = reply[i];
    const updateTimeMs = Number(reply[i + 1]);
    if (id !== undefined && Number.isFinite(updateTimeMs)) entries.push({ id, updateTimeMs });
  }
  return entries;
}

function sortGroups(entries: SessionsCursor[]): SessionsCursor[] {
  return entries.sort(compareSessions);
}

/**
 * The listing order: most recently updated first, ties by id so that the order (and a cursor
 * in it) is total — the memory store's order, so page tokens mean the same on both.
 */
export function compareSessions(a: SessionsCursor, b: SessionsCursor): number {
  if (a.updateTimeMs !== b.updateTimeMs) return b.updateTimeMs - a.updateTimeMs;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}
