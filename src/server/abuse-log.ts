import type { Logger } from "pino";

/** What a client did that the listener refused or cut short. */
export type AbuseKind =
  /** A connection closed on accept: over `maxConnections`. */
  | "connectionsOverTotal"
  /** A connection closed on accept: over `maxConnectionsPerClient`. */
  | "connectionsOverPerClient"
  /** A connection closed on accept: its client is blocked as a repeat offender. */
  | "connectionsFromBlockedClients"
  /** A client address blocked as a repeat offender (its open connections closed). */
  | "clientsBlocked"
  /** An HTTP/2 stream the client reset before its response ended. */
  | "streamsReset"
  /** An HTTP/2 connection closed with ENHANCE_YOUR_CALM: its client spent its reset budget. */
  | "connectionsCalmed"
  /** An HTTP/2 stream reset because its request body did not arrive within `requestBodyTimeout`. */
  | "bodyTimeouts";

/** Counts abuse and logs it as one aggregated warn line per interval, never a line per event. */
export interface AbuseLog {
  /** Counts one event of `kind` from `client` (a remote address). */
  count(kind: AbuseKind, client: string | undefined): void;
  /** Logs what is still counted and stops the timer. */
  close(): void;
}

/** Most clients named in one line: the ones with the most events. */
const maxClientsPerLine = 5;
/** Distinct clients counted per interval; later ones count only in the totals. */
const maxTrackedClients = 1_000;

/**
 * Creates the abuse log. Under attack a gateway must not write a line per reset stream (one
 * attack once wrote 916,937): events are summed, and at most one warn line per `intervalMs`
 * reports the totals per kind and the busiest client addresses. The timer runs only while
 * something is counted.
 */
export function createAbuseLog(log: Logger, intervalMs: number): AbuseLog {
  let totals = new Map<AbuseKind, number>();
  let clients = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    timer = undefined;
    if (totals.size === 0) return;
    const busiest = [...clients]
      .sort((a, b) => b[1] - a[1])
      .slice(0, maxClientsPerLine)
      .map(([address, events]) => ({ address, events }));
    log.warn(
      { ...Object.fromEntries(totals), clients: busiest, intervalMs },
      "refused or cut short abusive client traffic",
    );
    totals = new Map();
    clients = new Map();
  };

  return {
    count(kind, client) {
      totals.set(kind, (totals.get(kind) ?? 0) + 1);
      if (client !== undefined) {
        const events = clients.get(client);
        if (events !== undefined) clients.set(client, events + 1);
        else if (clients.size < maxTrackedClients) clients.set(client, 1);
      }
      if (timer === undefined) {
        timer = setTimeout(flush, intervalMs);
        timer.unref();
      }
    },
    close() {
      clearTimeout(timer);
      flush();
    },
  };
}
