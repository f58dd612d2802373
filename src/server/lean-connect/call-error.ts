import { Code, ConnectError, type ContextValues } from "@connectrpc/connect";
import { isClientCausedInternal } from "../client-caused-errors.js";
import type { LeanOptions } from "./lean-options.js";

/**
 * The error a lean call answers with, as connect-es makes it of what was thrown (anything but a
 * `ConnectError` is INTERNAL "internal error"). A call refused before its interceptors ran
 * (`invoked` false: a malformed request, a bad deadline or encoding) is reported to
 * `onRejected`, and a malformed message is the client's mistake (INVALID_ARGUMENT), as on the
 * connect-node path (see protocol-rejections.ts).
 */
export function callError(
  thrown: unknown,
  invoked: boolean,
  values: ContextValues,
  options: LeanOptions,
): ConnectError {
  let error =
    thrown instanceof ConnectError
      ? thrown
      : new ConnectError("internal error", Code.Internal, undefined, undefined, thrown);
  if (invoked) return error;
  if (isClientCausedInternal(error.code, error.rawMessage)) {
    error = new ConnectError(error.rawMessage, Code.InvalidArgument, error.metadata);
  }
  options.onRejected(error.code, values);
  return error;
}
