import { GatewayError } from "../gateway-error.js";

/** A signal that aborts with the parent's reason, or with `deadline_exceeded` after `ms`. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Stops the timer and unlinks from the parent. */
  dispose(): void;
}

/** Links `parent` (when given) and a time limit of `ms` into one signal. */
export function createDeadline(
  parent: AbortSignal | undefined,
  ms: number,
  message: string,
): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new GatewayError("deadline_exceeded", message)),
    ms,
  );
  timer.unref();
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onAbort();
  else parent?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onAbort);
    },
  };
}
