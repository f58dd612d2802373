import type { HttpRequest } from "./http-handler.js";

/**
 * The longest deadline the gateway keeps, in milliseconds: Node's timers hold at most 2^31-1 ms
 * (~24.8 days). A longer one would fire at once (and print a TimeoutOverflowWarning), failing the
 * call with DEADLINE_EXCEEDED when the client asked for the opposite: plenty of time.
 */
export const maxDeadlineMs = 2_147_483_647;

/** Milliseconds per gRPC timeout unit (`grpc-timeout: 5S`, `200m`, …). */
const grpcTimeoutUnitMs: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1_000,
  m: 1,
  u: 0.001,
  n: 0.000_001,
};

/**
 * Rewrites a `grpc-timeout` or `connect-timeout-ms` request header that asks for more than
 * `maxDeadlineMs` (e.g. `597H`, `2147483648`) to `maxDeadlineMs`, before connect-node reads it.
 * Values of more digits than the protocols allow (8 for gRPC, 10 for Connect) are clamped too:
 * a client that asks for an absurdly long deadline wants no deadline, not an error. Anything
 * that is not digits and a unit is left for connect-node to reject.
 */
export function clampDeadlineHeaders(req: HttpRequest): void {
  const grpc = req.headers["grpc-timeout"];
  if (typeof grpc === "string") {
    const match = /^(\d+)([HMSmun])$/.exec(grpc);
    const unitMs = match ? grpcTimeoutUnitMs[match[2] as string] : undefined;
    if (match && unitMs !== undefined && Number(match[1]) * unitMs > maxDeadlineMs) {
      req.headers["grpc-timeout"] = `${Math.floor(maxDeadlineMs / 1000)}S`;
    }
  }
  const connect = req.headers["connect-timeout-ms"];
  if (typeof connect === "string" && /^\d+$/.test(connect) && Number(connect) > maxDeadlineMs) {
    req.headers["connect-timeout-ms"] = String(maxDeadlineMs);
  }
}
