import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import { AttemptTrailSchema } from "../../gen/switchboard/v1/errors_pb.js";
import { GatewayError, type GatewayErrorCode } from "../gateway-error.js";
import type { SecretRedactor } from "../secrets/secret-registry.js";
import { toProtoAttempts } from "../services/map-common.js";
import { reclassifyClientCaused } from "./client-caused-errors.js";
import { retryInfoDetail } from "./retry-info.js";

const codes: Readonly<Record<GatewayErrorCode, Code>> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  out_of_range: Code.OutOfRange,
  resource_exhausted: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
  failed_precondition: Code.FailedPrecondition,
  deadline_exceeded: Code.DeadlineExceeded,
  canceled: Code.Canceled,
  storage_unavailable: Code.Unavailable,
  internal: Code.Internal,
};

/**
 * The one place domain errors become Connect errors (the same codes over gRPC, gRPC-Web and
 * Connect). The fallback trail travels as a `switchboard.v1.AttemptTrail` detail and a known
 * retry delay as `google.rpc.RetryInfo`. Anything that is not a `GatewayError` or a
 * `ConnectError` is a bug: it is logged and answered with `INTERNAL` and no internals. A
 * `ConnectError` that connect-es raised as INTERNAL for a malformed request becomes
 * INVALID_ARGUMENT (`reclassifyClientCaused`). As a last safety net, every configured secret
 * in the message of what is sent is replaced.
 */
export function toConnectError(error: unknown, log: Logger, secrets: SecretRedactor): ConnectError {
  if (error instanceof ConnectError) {
    return withRedactedMessage(reclassifyClientCaused(error), secrets);
  }
  if (!(error instanceof GatewayError)) {
    log.error({ err: error }, "unexpected error in a handler");
    return new ConnectError("internal error", Code.Internal);
  }
  if (error.code === "internal") {
    log.error({ err: error }, "internal error");
    return new ConnectError("internal error", Code.Internal);
  }
  const details = [];
  if (error.attempts.length > 0) {
    details.push({
      desc: AttemptTrailSchema,
      value: create(AttemptTrailSchema, { attempts: toProtoAttempts(error.attempts) }),
    });
  }
  if (error.retryAfterMs !== undefined && error.retryAfterMs > 0) {
    details.push(retryInfoDetail(error.retryAfterMs));
  }
  const message = secrets.redact(error.message);
  return new ConnectError(message, codes[error.code], undefined, details, error);
}

function withRedactedMessage(error: ConnectError, secrets: SecretRedactor): ConnectError {
  const message = secrets.redact(error.rawMessage);
  if (message === error.rawMessage) return error;
  const redacted = new ConnectError(message, error.code, error.metadata, undefined, error.cause);
  redacted.details = error.details;
  return redacted;
}
