import type { Socket } from "node:net";
import type { AbuseLog } from "./abuse-log.js";

/** Options of `createConnectionGate`. */
export interface ConnectionGateOptions {
  /** Open connections in total. */
  readonly maxConnections: number;
  /** Open connections per remote address. */
  readonly maxConnectionsPerClient: number;
  readonly abuse: AbuseLog;
}

/** Decides on accept whether a new TCP connection may stay open. */
export interface ConnectionGate {
  /**
   * Admits `socket` and counts it until it closes, or destroys it at once (before a byte is
   * read) when it would exceed a limit. Returns whether it was admitted.
   */
  admit(socket: Socket): boolean;
  /** Open connections now. */
  open(): number;
}

/**
 * Creates the gate. A refused connection costs one accept and one close: nothing is read,
 * parsed or logged for it (the abuse log sums refusals). Behind a proxy or a mesh sidecar every
 * connection comes from the proxy's address, so `maxConnectionsPerClient` then bounds the
 * proxy's connections.
 */
export function createConnectionGate(options: ConnectionGateOptions): ConnectionGate {
  const { maxConnections, maxConnectionsPerClient, abuse } = options;
  const perClient = new Map<string, number>();
  let open = 0;

  return {
    admit(socket) {
      const client = socket.remoteAddress ?? "";
      const fromClient = perClient.get(client) ?? 0;
      if (open >= maxConnections || fromClient >= maxConnectionsPerClient) {
        abuse.count(
          open >= maxConnections ? "connectionsOverTotal" : "connectionsOverPerClient",
          client,
        );
        socket.destroy();
        return false;
      }
      open++;
      perClient.set(client, fromClient + 1);
      socket.once("close", () => {
        open--;
        const left = (perClient.get(client) ?? 1) - 1;
        if (left === 0) perClient.delete(client);
        else perClient.set(client, left);
      });
      return true;
    },
    open: () => open,
  };
}
