import { type AttemptRecord, GatewayError } from "../gateway-error.js";

/**
 * Throws the abort as a `GatewayError`: the signal's reason when it is one (the total-time
 * limit), `canceled` otherwise. Records the interrupted attempt first when there is one.
 */
export function throwIfAborted(
  signal: AbortSignal,
  attempts: AttemptRecord[],
  modelId?: string,
  durationMs = 0,
): void {
  if (!signal.aborted) return;
  if (modelId)
    attempts.push({ model: modelId, outcome: "canceled", durationMs, reason: "canceled" });
  const reason: unknown = signal.reason;
  if (reason instanceof GatewayError) {
    throw new GatewayError(reason.code, reason.message, { attempts, cause: reason });
  }
  throw new GatewayError("canceled", "the request was canceled", { attempts, cause: reason });
}

/** Aborts `controller` when `signal` aborts; returns the unlink function. */
export function linkAbort(signal: AbortSignal, controller: AbortController): () => void {
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}
