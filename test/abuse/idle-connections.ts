import * as net from "node:net";
import { CLIENT_MAGIC, settingsFrame } from "./h2-frames.js";
import { within } from "./within.js";

/** Options of `holdIdleConnections`. */
export interface IdleConnectionsOptions {
  readonly port: number;
  readonly localAddress: string;
  readonly count: number;
  /** Send the HTTP/2 preface and an empty SETTINGS, then nothing; else send nothing at all. */
  readonly sendPreface: boolean;
  /** Connections opened at once; the next batch starts once these are connected. */
  readonly batchSize: number;
  /** How long after the last connect to wait for the server to close them all. */
  readonly waitMs: number;
}

/** One silent connection: how long it lived (from connect to the server's close). */
export interface IdleConnection {
  /** Undefined when it could not connect (`error` says why). */
  readonly connectedAtMs: number | undefined;
  /** Milliseconds from connect to close; undefined when still open after `waitMs`. */
  readonly lifetimeMs: number | undefined;
  readonly error?: string;
}

/**
 * Opens `count` connections from one source address and keeps them silent, in batches of
 * `batchSize`; resolves once the server has closed them all, or `waitMs` after the last connect
 * (the rest are then closed here).
 */
export async function holdIdleConnections(
  options: IdleConnectionsOptions,
): Promise<IdleConnection[]> {
  const started = performance.now();
  const sockets: net.Socket[] = [];
  const outcomes: Promise<IdleConnection>[] = [];
  const hello = Buffer.concat([CLIENT_MAGIC, settingsFrame()]);
  for (let opened = 0; opened < options.count; opened += options.batchSize) {
    const batch: Promise<unknown>[] = [];
    for (let i = opened; i < Math.min(options.count, opened + options.batchSize); i++) {
      const socket = net.connect({
        port: options.port,
        host: "127.0.0.1",
        localAddress: options.localAddress,
      });
      sockets.push(socket);
      // Read what the server sends (its SETTINGS), so that its FIN is seen.
      socket.resume();
      let connectedAt: number | undefined;
      let error: string | undefined;
      socket.on("error", (e) => {
        error ??= e.message;
      });
      const connected = new Promise<void>((resolve) => {
        socket.once("connect", () => {
          connectedAt = performance.now();
          if (options.sendPreface) socket.write(hello);
          resolve();
        });
        socket.once("close", () => resolve());
      });
      batch.push(connected);
      outcomes.push(
        new Promise<IdleConnection>((resolve) => {
          socket.once("close", () =>
            resolve({
              connectedAtMs: connectedAt === undefined ? undefined : connectedAt - started,
              lifetimeMs: connectedAt === undefined ? undefined : performance.now() - connectedAt,
              ...(error === undefined ? {} : { error }),
            }),
          );
        }),
      );
    }
    // A server with a full accept queue leaves connects hanging: go on after 10 s regardless.
    await within(Promise.all(batch), 10_000);
  }
  const all = Promise.all(outcomes);
  const result = await within(all, options.waitMs);
  if (typeof result !== "symbol") return result;
  // Still open: the server never closed these. Report them as such, then close them here.
  const stillOpen = new Set(sockets.filter((socket) => !socket.destroyed));
  const lifetimes = sockets.map((socket, i) => (stillOpen.has(socket) ? undefined : outcomes[i]));
  for (const socket of stillOpen) socket.destroy();
  return Promise.all(
    lifetimes.map(async (outcome, i) => {
      if (outcome !== undefined) return outcome;
      const closed = await outcomes[i]!;
      return { ...closed, lifetimeMs: undefined };
    }),
  );
}
