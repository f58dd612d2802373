import type { StreamEventPayload, StreamRead } from "../../src/storage/records.js";
import type { StreamStore } from "../../src/storage/stream-store.js";

/** A text delta event. */
export function delta(text: string): StreamEventPayload {
  return { type: "delta", text };
}

/** Every read of the stream until it ends. */
export async function collect(reads: AsyncIterable<StreamRead>): Promise<StreamRead[]> {
  const all: StreamRead[] = [];
  for await (const read of reads) all.push(read);
  return all;
}

/** Each read as its sequence, or `end:<state>`. */
export function summary(reads: readonly StreamRead[]): (number | string)[] {
  return reads.map((read) =>
    read.kind === "event" ? read.event.sequence : `end:${read.end.state}`,
  );
}

/** Creates alice's stream `streamId` in session `sessionId` with `events` deltas. */
export async function streamWith(
  streams: StreamStore,
  streamId: string,
  events: number,
  sessionId = "session-1",
): Promise<void> {
  await streams.createStream({ streamId, sessionId, owner: "alice" });
  for (let i = 1; i <= events; i += 1) await streams.appendEvent(streamId, delta(`t${i}`));
}
