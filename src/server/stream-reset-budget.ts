import { constants, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import type { AbuseLog } from "./abuse-log.js";

/** The token bucket of resets one HTTP/2 connection may make. */
export interface StreamResetBudgetOptions {
  /** Resets allowed at once. */
  readonly burst: number;
  /** Resets refilled per second, up to `burst`. */
  readonly ratePerSecond: number;
  readonly abuse: AbuseLog;
  /** Told the client's address when its connection is closed for exceeding the budget. */
  readonly onCalmed: (client: string) => void;
}

const tooManyResets = new Error("the client reset more HTTP/2 streams than its budget allows");

/**
 * The reset budget of one connection: closes `session` with GOAWAY(ENHANCE_YOUR_CALM) once its
 * client has reset more streams than the budget allows (the defence nghttp2 and Go use against
 * HTTP/2 "rapid reset", CVE-2023-44487). A reset is a stream closed with an error code before
 * its response ended (by the client, or by the server because of the client, such as an
 * expired request body); each costs the server a stream set-up, so a client that keeps
 * resetting is doing work on the server's dime. Create one per session and call the result
 * with every stream of it once that stream has closed.
 */
export function createStreamResetBudget(
  session: ServerHttp2Session,
  options: StreamResetBudgetOptions,
): (closed: ServerHttp2Stream) => void {
  const { burst, ratePerSecond, abuse } = options;
  let tokens = burst;
  let refilledAt = performance.now();
  const client = session.socket?.remoteAddress;

  const onReset = (): void => {
    // Streams close with a code too when the whole connection goes away: that is no reset.
    if (session.destroyed) return;
    abuse.count("streamsReset", client);
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * ratePerSecond);
    refilledAt = now;
    tokens -= 1;
    if (tokens >= 0) return;
    abuse.count("connectionsCalmed", client);
    // With an error, not undefined: an undefined first parameter defaults to NO_ERROR, which
    // then overrides the code. The server reports the error as "sessionError"; nothing throws.
    session.destroy(tooManyResets, constants.NGHTTP2_ENHANCE_YOUR_CALM);
    options.onCalmed(client ?? "");
  };
  return (closed) => {
    // Node's "aborted" event is not emitted for every reset (not once the writable side is
    // ending); a close code is set for every one.
    if (closed.rstCode !== constants.NGHTTP2_NO_ERROR) onReset();
  };
}
