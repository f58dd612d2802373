/** The fault of one model and how many requests it has served since the fault was set. */
export interface FaultState<F> {
  readonly fault: F;
  /** Requests since the fault was (re)set, this one included. */
  readonly served: number;
}

/** The per-model fault state of a fake upstream. */
export interface FaultStates<F> {
  /** Counts a request for `model` and returns its fault and count (the name's fault at first). */
  serve(model: string): FaultState<F>;
  /** Gives `model` a fault, overriding the one its name implies, and restarts its counter. */
  set(model: string, fault: F): void;
  /** Gives `model` the fault `name` (its own name's when undefined) and restarts its counter. */
  setByName(model: string, name: string | undefined): void;
  /** Forgets every fault set and every counter. */
  clear(): void;
}

/** Per-model fault state whose default fault is `parse(model)`, the model name's own. */
export function createFaultStates<F>(parse: (name: string) => F): FaultStates<F> {
  const states = new Map<string, { fault: F; served: number }>();
  return {
    serve(model) {
      const state = states.get(model) ?? { fault: parse(model), served: 0 };
      states.set(model, state);
      state.served++;
      return { ...state };
    },
    set(model, fault) {
      states.set(model, { fault, served: 0 });
    },
    setByName(model, name) {
      states.set(model, { fault: parse(name ?? model), served: 0 });
    },
    clear() {
      states.clear();
    },
  };
}
