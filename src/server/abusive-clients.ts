/** Options of `createAbusiveClients`. */
export interface AbusiveClientsOptions {
  /** How long an offender is blocked, in milliseconds; 0 blocks nobody. */
  readonly blockMs: number;
  /** Offences within `windowMs` that block a client. */
  readonly offencesToBlock: number;
  /** How long an offence counts, in milliseconds. */
  readonly windowMs: number;
  /** Clock, milliseconds. Default `performance.now`. */
  readonly now?: () => number;
}

/** Remembers client addresses that abused the gateway and blocks repeat offenders for a while. */
export interface AbusiveClients {
  /** Records an offence of `client`; returns true when it is now blocked (it just crossed the line). */
  offend(client: string): boolean;
  /** Whether `client` is blocked now. */
  blocked(client: string): boolean;
}

/** Addresses remembered at most, offenders and blocked ones together; the oldest are forgotten first. */
const maxTrackedClients = 10_000;

/**
 * Creates the register. An offence is a connection closed for abuse (its client spent its
 * stream reset budget). One offence is a client having a bad moment; `offencesToBlock` within
 * `windowMs` is an attack, and then the attacker's reconnections are what costs: each new
 * connection gets a fresh budget. Blocked for `blockMs`, its connections are refused on accept
 * at the cost of an accept. Behind a proxy every client shares the proxy's address, so one
 * abusive client blocks all: set `blockMs` to 0 there (and let the proxy do this job).
 */
export function createAbusiveClients(options: AbusiveClientsOptions): AbusiveClients {
  const { blockMs, offencesToBlock, windowMs } = options;
  const now = options.now ?? (() => performance.now());
  /** Per client: the times of its recent offences, or the end of its block. */
  const offences = new Map<string, number[]>();
  const blockedUntil = new Map<string, number>();

  const remember = <V>(map: Map<string, V>, client: string, value: V): void => {
    map.delete(client);
    if (map.size >= maxTrackedClients) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
    map.set(client, value);
  };

  return {
    offend(client) {
      if (blockMs === 0) return false;
      const at = now();
      const recent = (offences.get(client) ?? []).filter((time) => time > at - windowMs);
      recent.push(at);
      if (recent.length < offencesToBlock) {
        remember(offences, client, recent);
        return false;
      }
      offences.delete(client);
      remember(blockedUntil, client, at + blockMs);
      return true;
    },
    blocked(client) {
      const until = blockedUntil.get(client);
      if (until === undefined) return false;
      if (until > now()) return true;
      blockedUntil.delete(client);
      return false;
    },
  };
}
