import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import {
  type Health,
  type HealthCheckResponse,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/grpc/health/v1/health_pb.js";

/** The statuses a service can be set to. */
export type HealthStatus = ServingStatus.SERVING | ServingStatus.NOT_SERVING;

/**
 * The serving status of each known service name, read by `grpc.health.v1.Health` and by the
 * plain `GET /healthz`. Names are "" (the whole server), "liveness", "readiness" and each
 * registered service, e.g. "switchboard.v1.PromptService".
 */
export interface HealthState {
  /** Sets a service's status; an unknown name becomes known. Watchers see the change. */
  setStatus(service: string, status: HealthStatus): void;
  /** Sets every known service NOT_SERVING, except the names in `keep`. */
  setAllNotServing(keep?: readonly string[]): void;
  /** A service's status, undefined when the name is unknown. */
  getStatus(service: string): HealthStatus | undefined;
  /**
   * Ends every Watch stream (with OK, after it has sent the latest status), and every later one
   * after its first status, so that open watches do not hold a shutdown up. Health clients
   * retry a watch that ends, and then find the port closed.
   */
  endWatches(): void;
}

/** The health state and the `grpc.health.v1.Health` implementation that reads it. */
export interface HealthService {
  readonly state: HealthState;
  readonly impl: ServiceImpl<typeof Health>;
}

/**
 * Creates the health service with "", "liveness", "readiness" and `services` known, all
 * NOT_SERVING until the server sets them. Check answers NOT_FOUND for an unknown name; Watch
 * sends SERVICE_UNKNOWN for it and stays open, as the health proto says.
 */
export function createHealthService(services: readonly string[]): HealthService {
  const statuses = new Map<string, HealthStatus>();
  for (const name of ["", "liveness", "readiness", ...services]) {
    statuses.set(name, ServingStatus.NOT_SERVING);
  }
  let watchesEnded = false;
  // Every watcher awaits this one promise; a change resolves it and arms a fresh one.
  let wake: () => void = () => {};
  let changed = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const signalChange = (): void => {
    wake();
    changed = new Promise<void>((resolve) => {
      wake = resolve;
    });
  };
  const response = (status: ServingStatus): HealthCheckResponse =>
    create(HealthCheckResponseSchema, { status });

  const state: HealthState = {
    setStatus(service, status) {
      if (statuses.get(service) === status) return;
      statuses.set(service, status);
      signalChange();
    },
    setAllNotServing(keep = []) {
      for (const name of statuses.keys()) {
        if (!keep.includes(name)) statuses.set(name, ServingStatus.NOT_SERVING);
      }
      signalChange();
    },
    getStatus: (service) => statuses.get(service),
    endWatches() {
      watchesEnded = true;
      signalChange();
    },
  };

  const impl: ServiceImpl<typeof Health> = {
    check(request) {
      const status = statuses.get(request.service);
      if (status === undefined) {
        throw new ConnectError(`unknown service "${request.service}"`, Code.NotFound);
      }
      return response(status);
    },
    async *watch(request, context) {
      const { signal } = context;
      const aborted = new Promise<void>((resolve) => {
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
      let sent: ServingStatus | undefined;
      for (;;) {
        // Taken before reading the status, so that a change in between is not missed.
        const change = changed;
        const status = statuses.get(request.service) ?? ServingStatus.SERVICE_UNKNOWN;
        if (status !== sent) {
          yield response(status);
          sent = status;
        }
        if (watchesEnded) return;
        await Promise.race([change, aborted]);
        // A handler that swallows its abort would report success to a client that is gone.
        signal.throwIfAborted();
      }
    },
    list() {
      const entries = Array.from(statuses, ([name, status]) => [name, response(status)]);
      return { statuses: Object.fromEntries(entries) };
    },
  };
  return { state, impl };
}
