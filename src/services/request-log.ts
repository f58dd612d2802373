import type { HandlerContext } from "@connectrpc/connect";
import type { Logger } from "pino";
import { requestLogKey } from "../server/request-context.js";

/** The RPC's child logger (with its request id), set by the server for every call. */
export function requestLog(context: HandlerContext): Logger {
  return context.values.get(requestLogKey);
}

/**
 * Rethrows the RPC's abort reason when the call was canceled or its deadline passed, so that a
 * handler never reports success after the deadline (DESIGN §5).
 */
export function throwIfCallAborted(context: HandlerContext): void {
  if (context.signal.aborted) throw context.signal.reason;
}
