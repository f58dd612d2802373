import type { Socket } from "node:net";
import type { AbuseLog } from "./abuse-log.js";
import type { AbusiveClients } from "./abusive-clients.js";

/** Options of `createConnectionGate`. */
export interface ConnectionGateOptions {
  /** Open connections in total. */
  readonly maxConnections: number;
  /** Open connections per remote address. */
  readonly maxConnectionsPerClient: number;
  /** Addresses whose connections are refused for a while. */
  readonly abusiveClients: AbusiveClients;
  readonly abuse: AbuseLog;
}

/** Decides on accept whether a new TCP connection may stay open. */
export interface ConnectionGate {
  /**
   * Admits `socket` and counts it until it closes, or destroys it at once (before a byte is
   * read) when it would exceed a limit or its client is blocked. Returns whether it was admitted.
   */
  admit(socket: Socket): boolean;
  /**
   * Records that a connection of `client` was closed for abuse; when that makes the client a
   * blocked repeat offender, its other open connections are closed too.
   */
  offended(client: string): void;
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
  const { maxConnections, maxConnectionsPerClient, abusiveClients, abuse } = options;
  const perClient = new Map<string, Set<Socket>>();
  let open = 0;

  return {
    admit(socket) {
      const client = socket.remoteAddress ?? "";
      const fromClient = perClient.get(client);
      const refusal =
        open >= maxConnections
          ? "connectionsOverTotal"
          : (fromClient?.size ?? 0) >= maxConnectionsPerClient
            ? "connectionsOverPerClient"
            : abusiveClients.blocked(client)
              ? "connectionsFromBlockedClients"
              : undefined;
      if (refusal !== undefined) {
        abuse.count(refusal, client);
        socket.destroy();
        return false;
      }
      open++;
      const sockets = fromClient ?? new Set<Socket>();
      if (fromClient === undefined) perClient.set(client, sockets);
      sockets.add(socket);
      socket.once("close", () => {
        open--;
        sockets.delete(socket);
        if (sockets.size === 0 && perClient.get(client) === sockets) perClient.delete(client);
      });
      return true;
    },
    offended(client) {
      if (!abusiveClients.offend(client)) return;
      abuse.count("clientsBlocked", client);
      for (const socket of perClient.get(client) ?? []) socket.destroy();
    },
    open: () => open,
  };
}
