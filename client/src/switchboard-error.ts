import { type Code, ConnectError } from "@connectrpc/connect";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { AttemptTrailSchema } from "../../gen/switchboard/v1/errors_pb.js";
import type { Attempt } from "../../gen/switchboard/v1/types_pb.js";

/**
 * The one error type the Switchboard client throws. It keeps the Connect `code`, the gateway's
 * message, the attempts of the `switchboard.v1.AttemptTrail` detail (empty when the gateway sent
 * none) and the delay of a `google.rpc.RetryInfo` detail. The original `ConnectError` is `cause`.
 */
export class SwitchboardError extends Error {
  override readonly name = "SwitchboardError";
  /** The Connect status code, e.g. `Code.Unavailable`. */
  readonly code: Code;
  /** The message without the `[code]` prefix Connect adds. */
  readonly rawMessage: string;
  /** Every attempt and skipped model the gateway reported, in order; empty when none. */
  readonly attempts: readonly Attempt[];
  /** When the gateway knows when to try again: the delay in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(cause: ConnectError) {
    super(cause.message, { cause });
    this.code = cause.code;
    this.rawMessage = cause.rawMessage;
    this.attempts = cause.findDetails(AttemptTrailSchema).flatMap((trail) => trail.attempts);
    const [retryInfo] = cause.findDetails(RetryInfoSchema);
    const delay = retryInfo?.retryDelay;
    this.retryAfterMs =
      delay === undefined ? undefined : Number(delay.seconds) * 1_000 + delay.nanos / 1_000_000;
  }
}

/** Wraps any failure of an RPC (a `ConnectError`, a fetch `TypeError`, an abort) once. */
export function toSwitchboardError(reason: unknown): SwitchboardError {
  if (reason instanceof SwitchboardError) return reason;
  return new SwitchboardError(ConnectError.from(reason));
}
