import type { FaultStates } from "./fake-fault-states.js";
import type { FakeUpstream, RecordedUpstreamRequest } from "./fake-upstream-server.js";

/** What a test does with any running fake upstream, whatever its wire format. */
export interface FakeUpstreamControls<R extends RecordedUpstreamRequest, N extends string> {
  /** Every request, in arrival order. */
  readonly requests: readonly R[];
  /** The requests for one model (Bedrock: model id). */
  requestsFor(model: string): R[];
  /** Resolves once `count` requests (for `model`, when given) have arrived. */
  waitForRequests(count: number, model?: string): Promise<void>;
  /**
   * Gives a model a fault, overriding the one its name implies, and restarts its counters;
   * `undefined` removes the override.
   */
  setFault(model: string, fault: N | undefined): void;
  /** Forgets the recorded requests, the faults set and every counter (between tests). */
  reset(): void;
  /** Destroys open sockets, cancels pending answers and stops listening. */
  close(): Promise<void>;
}

/** The controls of a fake made of `upstream` and its per-model `faults`. */
export function fakeUpstreamControls<R extends RecordedUpstreamRequest, N extends string>(
  upstream: FakeUpstream<R>,
  faults: FaultStates<unknown>,
): FakeUpstreamControls<R, N> {
  return {
    requests: upstream.requests,
    requestsFor: upstream.requestsFor,
    waitForRequests: upstream.waitForRequests,
    setFault: (model, fault) => faults.setByName(model, fault),
    reset() {
      upstream.forgetRequests();
      faults.clear();
    },
    close: upstream.close,
  };
}
