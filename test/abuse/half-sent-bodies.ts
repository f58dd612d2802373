import { openRawH2, type RawH2Connection } from "./h2-connection.js";
import {
  dataFrame,
  encodeHeaderBlock,
  envelope,
  FrameFlag,
  FrameType,
  grpcRequestHeaders,
  headersFrames,
  PROMPT_HI_PROTO,
} from "./h2-frames.js";
import { within } from "./within.js";

/** Options of `halfSentBodies`. */
export interface HalfSentBodiesOptions {
  readonly port: number;
  /** Loopback source addresses, used round-robin by the connections. */
  readonly sourceAddresses: readonly string[];
  readonly connections: number;
  readonly streamsPerConnection: number;
  /** How long after its streams were opened a connection waits for them all to end. */
  readonly waitMs: number;
}

/** How the server ended the half-sent streams. */
export interface HalfSentBodiesResult {
  readonly streams: number;
  /** Streams the server reset, by RST_STREAM error code. */
  readonly resetByCode: Record<number, number>;
  /** Streams the server answered to the end (END_STREAM). */
  readonly answered: number;
  /** Streams that ended because the server closed their connection. */
  readonly endedWithConnection: number;
  /** Streams still open `waitMs` after they were opened. */
  readonly stillOpen: number;
  /** Longest time from opening a stream to its end, in milliseconds (open ones excluded). */
  readonly slowestEndMs: number;
}

/**
 * Opens `streamsPerConnection` gRPC `Prompt` streams on each of `connections` connections, each
 * sending HEADERS and the first 4 bytes of a 9-byte envelope and then nothing, and waits for
 * the server to end them (reset, answer or connection close).
 */
export async function halfSentBodies(
  options: HalfSentBodiesOptions,
): Promise<HalfSentBodiesResult> {
  const block = encodeHeaderBlock(
    grpcRequestHeaders("/switchboard.v1.PromptService/Prompt", `127.0.0.1:${options.port}`),
  );
  const halfEnvelope = envelope(PROMPT_HI_PROTO).subarray(0, 4);
  const result = {
    streams: 0,
    resetByCode: {} as Record<number, number>,
    answered: 0,
    endedWithConnection: 0,
    stillOpen: 0,
    slowestEndMs: 0,
  };
  const runConnection = async (index: number): Promise<void> => {
    const connection: RawH2Connection = await openRawH2({
      port: options.port,
      localAddress: options.sourceAddresses[index % options.sourceAddresses.length],
    });
    /** Open streams by id, with the time each was opened. */
    const open = new Map<number, number>();
    let allEnded!: () => void;
    const ended = new Promise<void>((resolve) => {
      allEnded = resolve;
    });
    const end = (streamId: number): boolean => {
      const openedAt = open.get(streamId);
      if (openedAt === undefined) return false;
      open.delete(streamId);
      result.slowestEndMs = Math.max(result.slowestEndMs, performance.now() - openedAt);
      if (open.size === 0) allEnded();
      return true;
    };
    connection.onFrame((frame) => {
      if (frame.type === FrameType.RST_STREAM && end(frame.streamId)) {
        const code = frame.payload.readUInt32BE(0);
        result.resetByCode[code] = (result.resetByCode[code] ?? 0) + 1;
      }
      const endsStream = frame.type === FrameType.HEADERS || frame.type === FrameType.DATA;
      if (endsStream && frame.flags & FrameFlag.END_STREAM && end(frame.streamId)) {
        result.answered++;
      }
    });
    const frames: Buffer[] = [];
    const openedAt = performance.now();
    for (let i = 0; i < options.streamsPerConnection; i++) {
      const streamId = connection.nextStreamId();
      open.set(streamId, openedAt);
      frames.push(headersFrames(streamId, block), dataFrame(streamId, halfEnvelope));
    }
    result.streams += options.streamsPerConnection;
    connection.socket.write(Buffer.concat(frames));
    await within(Promise.race([ended, connection.closed]), options.waitMs);
    if (connection.socket.destroyed) {
      result.endedWithConnection += open.size;
      for (const streamId of [...open.keys()]) end(streamId);
    }
    result.stillOpen += open.size;
    connection.socket.destroy();
    await connection.closed;
  };
  await Promise.all(Array.from({ length: options.connections }, (_, i) => runConnection(i)));
  return result;
}
